using System.Net;
using Clippings.Server.Website;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Server.Tests.Website;

/// <summary>With Azure Bot Service configured, the page's token comes from Azure's Direct Line, exchanged server-side.</summary>
public sealed class WebChatTokenIssuerTests
{
    [Fact]
    public async Task AzureModeExchangesTheSecretOnTheServer()
    {
        var azure = new RecordingHandler(HttpStatusCode.OK, """{"conversationId":"abc-eu","token":"azure-token","expires_in":3600}""");
        var issuer = Create(azure, new() { ["Clippings:WebChat:DirectLine"] = "azure", ["Clippings:WebChat:AzureSecret"] = "s3cret", ["Clippings:WebChat:AzureEndpoint"] = "https://europe.directline.botframework.com/v3/directline" });

        var token = await issuer.IssueAsync(CancellationToken.None);

        Assert.Equal("azure-token", token.Token);
        Assert.Equal("abc-eu", token.ConversationId);
        Assert.Equal("https://europe.directline.botframework.com/v3/directline", token.Domain);
        Assert.StartsWith("dl_", token.UserId, StringComparison.Ordinal);
        var request = Assert.Single(azure.Requests);
        Assert.Equal("https://europe.directline.botframework.com/v3/directline/tokens/generate", request.Uri);
        Assert.Equal("Bearer s3cret", request.Authorization);
        Assert.Contains(token.UserId, request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureModeFailuresSayWhatToFix()
    {
        var refused = Create(new RecordingHandler(HttpStatusCode.Forbidden, "{}"), new() { ["Clippings:WebChat:DirectLine"] = "azure", ["Clippings:WebChat:AzureSecret"] = "wrong" });
        var error = await Assert.ThrowsAsync<ClippingsException>(() => refused.IssueAsync(CancellationToken.None));
        Assert.Contains("Clippings:WebChat:AzureSecret", error.Message, StringComparison.Ordinal);

        var noSecret = Create(new RecordingHandler(HttpStatusCode.OK, "{}"), new() { ["Clippings:WebChat:DirectLine"] = "azure" });
        error = await Assert.ThrowsAsync<ClippingsException>(() => noSecret.IssueAsync(CancellationToken.None));
        Assert.Contains("AzureSecret is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalModeIssuesATokenForTheLocalEndpoint()
    {
        var azure = new RecordingHandler(HttpStatusCode.OK, "{}");
        var token = await Create(azure, []).IssueAsync(CancellationToken.None);

        Assert.Null(token.Domain);
        Assert.Empty(azure.Requests);
        Assert.False(string.IsNullOrEmpty(token.Token));
    }

    private static WebChatTokenIssuer Create(RecordingHandler handler, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClippingsWeb(configuration);
        services.AddHttpClient(WebChatTokenIssuer.AzureHttpClient).ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider().GetRequiredService<WebChatTokenIssuer>();
    }

    private sealed record RecordedRequest(string Uri, string? Authorization, string Body);

    private sealed class RecordingHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<RecordedRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new RecordedRequest(request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body) };
        }
    }
}
