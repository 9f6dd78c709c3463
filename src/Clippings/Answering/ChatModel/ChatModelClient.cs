using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.AI.OpenAI;
using Clippings.ModelServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Clippings.Answering.ChatModel;

/// <summary>The chat model could not give a usable answer within the retry budget (or refused the request outright).</summary>
public sealed class ChatModelUnavailableException : ClippingsException
{
    public ChatModelUnavailableException(string reason, int attempts, Exception innerException)
        : base($"The chat model was unavailable after {attempts} attempt(s): {reason}", innerException)
    {
        Reason = reason;
        Attempts = attempts;
    }

    /// <summary>Short, reader-safe reason ("timed out", "rate limited (429)", "server error (503)").</summary>
    public string Reason { get; }

    public int Attempts { get; }
}

/// <summary>
/// Runs the prompts in <c>prompts/</c> on the configured chat model through Semantic Kernel, with one retry policy
/// for every call: timeouts, 429 (waiting as Retry-After asks), 408/5xx, network errors and malformed or empty
/// responses are retried within <see cref="ChatModelOptions.MaxRetries"/> and <see cref="ChatModelOptions.RetryBudgetSeconds"/>;
/// other 4xx responses (bad key, unknown model) fail at once. Gives up with <see cref="ChatModelUnavailableException"/>.
/// </summary>
public sealed class ChatModelClient
{
    private readonly Kernel _kernel;
    private readonly ChatModelOptions _options;
    private readonly ILogger<ChatModelClient> _logger;

    public ChatModelClient(IOptions<ChatModelOptions> options, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        Validate(_options);
        _logger = loggerFactory.CreateLogger<ChatModelClient>();
        // Semantic Kernel's own logs (a stack trace per failed attempt) stay out of the hosts' output: this class
        // logs each attempt, its reason and the outcome as structured events instead.
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(CreateChatService(_options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        _kernel = builder.Build();
        Prompts = PromptLibrary.Load(_kernel, _options.PromptsPath);
        _logger.LogInformation("Chat model {Provider} {Model} at {Endpoint}; prompts from {PromptsDirectory}",
            _options.Provider, _options.Model, _options.Endpoint ?? "(provider default)", Prompts.Directory);
    }

    public PromptLibrary Prompts { get; }

    public ChatModelOptions Options => _options;

    /// <summary>The whole completion of a prompt as text.</summary>
    public async Task<string> CompleteAsync(string prompt, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var function = Prompts[prompt];
        var budget = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            Exception? failure;
            try
            {
                var result = await function.InvokeAsync(_kernel, arguments, timeout.Token).ConfigureAwait(false);
                var text = result.GetValue<string>();
                if (!string.IsNullOrWhiteSpace(text))
                {
                    return text;
                }

                failure = new MalformedResponseException("the response held no text");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }

            await WaitBeforeRetryAsync(prompt, attempt, failure, budget, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A completion as it streams. Failures before the first text are retried; a failure after text was produced
    /// cannot be retried without repeating it, so it ends the stream with <see cref="ChatModelUnavailableException"/>.
    /// </summary>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, KernelArguments arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var function = Prompts[prompt];
        var budget = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            var produced = false;
            var finished = false;
            Exception? failure = null;
            var stream = function.InvokeStreamingAsync<StreamingChatMessageContent>(_kernel, arguments, timeout.Token).GetAsyncEnumerator(timeout.Token);
            try
            {
                while (true)
                {
                    string? text;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        text = stream.Current.Content;
                        finished |= stream.Current.Metadata?.TryGetValue("FinishReason", out var reason) == true && reason is not null;
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = ex;
                        break;
                    }

                    if (!string.IsNullOrEmpty(text))
                    {
                        produced = true;
                        yield return text;
                    }
                }
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            if (failure is null && produced && finished)
            {
                yield break;
            }

            // A stream cut off without a finish reason is a broken answer, even when the connection closed cleanly.
            failure ??= new MalformedResponseException(produced ? "the stream ended before the model finished" : "the stream held no text");
            if (produced)
            {
                var (_, reason, _) = Classify(failure);
                _logger.LogWarning("Chat model stream for {Prompt} broke off after text was produced ({Reason}: {Error})", prompt, reason, failure.GetBaseException().Message);
                throw new ChatModelUnavailableException(reason, attempt, failure);
            }

            await WaitBeforeRetryAsync(prompt, attempt, failure, budget, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits as the failure asks, or throws <see cref="ChatModelUnavailableException"/> when retrying is pointless or over budget.</summary>
    private async Task WaitBeforeRetryAsync(string prompt, int attempt, Exception failure, Stopwatch budget, CancellationToken cancellationToken)
    {
        var (retryable, reason, retryAfter) = Classify(failure);
        var delay = retryAfter ?? TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4)));
        var overBudget = budget.Elapsed + delay + TimeSpan.FromSeconds(Math.Min(_options.TimeoutSeconds, 1)) > TimeSpan.FromSeconds(_options.RetryBudgetSeconds);
        var tooLong = retryAfter is not null && retryAfter.Value > TimeSpan.FromSeconds(_options.MaxRetryDelaySeconds);
        if (!retryable || attempt > _options.MaxRetries || overBudget || tooLong)
        {
            _logger.LogWarning(
                "Chat model call {Prompt} failed on attempt {Attempt} ({Reason}: {Error}); giving up (retryable {Retryable}, retries allowed {MaxRetries}, {ElapsedMs} ms spent)",
                prompt, attempt, reason, failure.GetBaseException().Message, retryable, _options.MaxRetries, budget.ElapsedMilliseconds);
            throw new ChatModelUnavailableException(reason, attempt, failure);
        }

        _logger.LogWarning("Chat model call {Prompt} failed on attempt {Attempt} ({Reason}: {Error}); retrying in {DelayMs} ms",
            prompt, attempt, reason, failure.GetBaseException().Message, (int)delay.TotalMilliseconds);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sorts a failure into retryable or not, with a short reason and the server's Retry-After when it gave one.</summary>
    internal static (bool Retryable, string Reason, TimeSpan? RetryAfter) Classify(Exception failure)
    {
        var status = StatusOf(failure);
        if (status is not null)
        {
            var code = (int)status.Value;
            return code switch
            {
                429 => (true, "rate limited (429)", RetryAfterOf(failure)),
                408 => (true, "request timeout (408)", null),
                >= 500 => (true, $"server error ({code})", RetryAfterOf(failure)),
                401 or 403 => (false, $"the server refused the credentials ({code}); check Clippings:ChatModel:ApiKey", null),
                404 => (false, "the server does not know the model or path (404); check Clippings:ChatModel:Model and Endpoint", null),
                _ => (false, $"the server rejected the request ({code})", null),
            };
        }

        return failure switch
        {
            OperationCanceledException or TimeoutException => (true, "timed out", null),
            MalformedResponseException malformed => (true, "malformed response: " + malformed.Message, null),
            JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException => (true, "malformed response", null),
            HttpRequestException or IOException => (true, "could not reach the server", null),
            _ when failure.InnerException is not null => Classify(failure.InnerException),
            _ => (true, "unexpected error: " + failure.GetType().Name, null),
        };
    }

    private static HttpStatusCode? StatusOf(Exception failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case HttpOperationException { StatusCode: { } code }:
                    return code;
                case ClientResultException { Status: > 0 } client:
                    return (HttpStatusCode)client.Status;
                case HttpRequestException { StatusCode: { } httpCode }:
                    return httpCode;
            }
        }

        return null;
    }

    /// <summary>Retry-After (seconds or an HTTP date) or OpenAI's retry-after-ms, from the raw response.</summary>
    private static TimeSpan? RetryAfterOf(Exception failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            if (ex is ClientResultException client && client.GetRawResponse() is { } response)
            {
                if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
                {
                    return TimeSpan.FromMilliseconds(millis);
                }

                if (response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
                {
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                    {
                        return TimeSpan.FromSeconds(Math.Max(0, seconds));
                    }

                    if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
                    {
                        var wait = when - DateTimeOffset.UtcNow;
                        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                    }
                }
            }
        }

        return null;
    }

    private static void Validate(ChatModelOptions options)
    {
        var problems = new List<string>();
        if (options.TimeoutSeconds <= 0)
        {
            problems.Add("TimeoutSeconds must be more than 0");
        }

        if (options.MaxRetries < 0)
        {
            problems.Add("MaxRetries must be 0 or more");
        }

        if (options.ContextWindowTokens < 1024)
        {
            problems.Add("ContextWindowTokens must be at least 1024 (the prompt alone needs several hundred)");
        }

        if (options.MaxPassages < 1)
        {
            problems.Add("MaxPassages must be at least 1");
        }

        if (problems.Count > 0)
        {
            throw new ClippingsException($"Bad {ChatModelOptions.SectionName} settings: {string.Join("; ", problems)}.");
        }
    }

    private static IChatCompletionService CreateChatService(ChatModelOptions options, ILoggerFactory loggerFactory)
    {
        var endpoint = new ModelEndpoint(ChatModelOptions.SectionName, options.Provider, options.Endpoint, options.Model, options.ApiKey, "'none', 'openai', 'azure-openai' or 'openai-compatible'");
        var client = OpenAIClientFactory.Create(endpoint, TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)), sdkRetries: 0);
        return client is AzureOpenAIClient azure
            ? new AzureOpenAIChatCompletionService(options.Model!, azure, options.Model, loggerFactory)
            : new OpenAIChatCompletionService(options.Model!, client, loggerFactory);
    }

    private sealed class MalformedResponseException(string message) : Exception(message);
}
