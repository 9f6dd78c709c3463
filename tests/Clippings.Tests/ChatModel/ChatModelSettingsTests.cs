using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using Clippings.Answering;
using Clippings.Answering.ChatModel;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace Clippings.Tests.ChatModel;

public sealed class ChatModelSettingsTests
{
    [Fact]
    public async Task ProviderNoneKeepsTheExtractiveComposer()
    {
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("chat-none"), new Dictionary<string, string?> { ["Clippings:ChatModel:Provider"] = "none" });
        Assert.IsType<ExtractiveAnswerComposer>(services.GetRequiredService<IAnswerComposer>());
        Assert.IsType<RuleBasedFollowUpRewriter>(services.GetRequiredService<IFollowUpRewriter>());
    }

    [Theory]
    [InlineData("openai", null, "gpt-4o-mini", null, "Clippings:ChatModel:ApiKey is required for provider 'openai'")]
    [InlineData("azure-openai", null, "gpt-4o", "key", "Clippings:ChatModel:Endpoint is required for provider 'azure-openai'")]
    [InlineData("openai-compatible", "localhost:11434", "llama3.1", null, "is not an http(s) URL")]
    [InlineData("openai-compatible", "http://localhost:11434/v1", null, null, "Clippings:ChatModel:Model is not set")]
    [InlineData("antropic", "http://localhost:1/v1", "m", null, "Unknown provider 'antropic' in Clippings:ChatModel:Provider")]
    public async Task BadSettingsGiveOneClearMessage(string provider, string? endpoint, string? model, string? key, string expected)
    {
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("chat-bad"), new Dictionary<string, string?>
        {
            ["Clippings:ChatModel:Provider"] = provider,
            ["Clippings:ChatModel:Endpoint"] = endpoint,
            ["Clippings:ChatModel:Model"] = model,
            ["Clippings:ChatModel:ApiKey"] = key,
        });

        var error = Assert.ThrowsAny<ClippingsException>(() => services.GetRequiredService<IAnswerComposer>());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOfRangeNumbersAreNamed()
    {
        var error = await StartupErrorAsync(("TimeoutSeconds", "0"), ("ContextWindowTokens", "100"));
        Assert.Equal("Bad Clippings:ChatModel settings: TimeoutSeconds must be more than 0; ContextWindowTokens must be at least 1024 (the prompt alone needs several hundred).", error.Message);
    }

    [Fact]
    public async Task AMissingPromptsFolderIsNamed()
    {
        var error = await StartupErrorAsync(("PromptsPath", "/nonexistent/prompts"));
        Assert.Contains("PromptsPath '/nonexistent/prompts' does not exist", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The error resolving the composer gives for a compatible server with these extra settings.</summary>
    private static async Task<ClippingsException> StartupErrorAsync(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clippings:ChatModel:Provider"] = "openai-compatible",
            ["Clippings:ChatModel:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Clippings:ChatModel:Model"] = "m",
        };
        foreach (var (key, value) in extra)
        {
            settings["Clippings:ChatModel:" + key] = value;
        }

        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("chat-settings"), settings);
        return Assert.ThrowsAny<ClippingsException>(() => services.GetRequiredService<IAnswerComposer>());
    }

    [Fact]
    public void ThePromptsAreCopiedBesideTheProgramWithTheirSettings()
    {
        foreach (var name in new[] { PromptLibrary.AnswerWithCitations, PromptLibrary.RewriteFollowUp, PromptLibrary.AuthorAnswer })
        {
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "prompts", name, "skprompt.txt")), name);
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "prompts", name, "config.json")), name);
        }

        var library = PromptLibrary.Load(Kernel.CreateBuilder().Build(), Path.Combine(SharedCorpus.RepoRoot, "prompts"));
        Assert.Equal(700, library.MaxAnswerTokens(PromptLibrary.AnswerWithCitations, 1));
        Assert.Contains("{{$passages}}", library.Template(PromptLibrary.AnswerWithCitations), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, true, "rate limited (429)")]
    [InlineData(503, true, "server error (503)")]
    [InlineData(408, true, "request timeout (408)")]
    [InlineData(401, false, "check Clippings:ChatModel:ApiKey")]
    [InlineData(404, false, "check Clippings:ChatModel:Model")]
    [InlineData(400, false, "rejected the request (400)")]
    public void FailuresAreSortedIntoRetryableOrNot(int status, bool retryable, string reason)
    {
        var failure = new HttpOperationException((HttpStatusCode)status, "{}", "failed", null);
        var classified = ChatModelClient.Classify(failure);
        Assert.Equal(retryable, classified.Retryable);
        Assert.Contains(reason, classified.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeoutsNetworkErrorsAndMalformedResponsesAreRetryable()
    {
        Assert.Equal((true, "timed out"), Pick(ChatModelClient.Classify(new TaskCanceledException())));
        Assert.Equal((true, "could not reach the server"), Pick(ChatModelClient.Classify(new HttpRequestException("connection refused"))));
        Assert.Equal((true, "malformed response"), Pick(ChatModelClient.Classify(new System.Text.Json.JsonException("bad"))));
        Assert.Equal((true, "malformed response"), Pick(ChatModelClient.Classify(new KernelException("wrapped", new FormatException("bad")))));

        static (bool, string) Pick((bool Retryable, string Reason, TimeSpan? RetryAfter) c) => (c.Retryable, c.Reason);
    }

    [Fact]
    public void TokensAreCountedWithCl100kAndPassagesFitBestFirst()
    {
        Assert.Equal(2, ContextBudget.CountTokens("hello world"));
        var budget = new ContextBudget(1000);
        Assert.Equal(900 - 100 - 300, budget.AvailableForPassages(100, 300));

        var passage = string.Join(" ", Enumerable.Repeat("harbour", 100));
        var tokens = ContextBudget.CountTokens(passage);
        Assert.Equal(2, ContextBudget.CountThatFit([passage, passage, passage], (tokens * 2) + 1));
        Assert.Equal(1, ContextBudget.CountThatFit([passage, passage], 10));
        Assert.Equal(0, ContextBudget.CountThatFit([], 10));
    }
}
