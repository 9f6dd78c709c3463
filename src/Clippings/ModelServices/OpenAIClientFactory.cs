using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using OpenAI;

namespace Clippings.ModelServices;

/// <summary>
/// Builds the OpenAI SDK client for <c>openai</c>, <c>azure-openai</c> and <c>openai-compatible</c> providers, shared by
/// the chat model and the embeddings. The chat model switches the SDK's own retries off (sdkRetries 0)
/// because it retries within its own budget; embeddings keep the SDK's retries (null).
/// </summary>
public static class OpenAIClientFactory
{
    /// <summary>Sent when a compatible server needs no key (Ollama, llama.cpp): the SDK insists on a credential.</summary>
    private const string NoKey = "no-key";

    public static OpenAIClient Create(ModelEndpoint endpoint, TimeSpan networkTimeout, int? sdkRetries)
    {
        var provider = endpoint.Provider.Trim().ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(endpoint.Model))
        {
            throw new ClippingsException($"{endpoint.Section}:Model is not set. Name the model (or, for Azure OpenAI, the deployment) to use with provider '{provider}'.");
        }

        switch (provider)
        {
            case "openai":
            {
                var options = new OpenAIClientOptions { NetworkTimeout = networkTimeout };
                Retries(options, sdkRetries);
                if (!string.IsNullOrWhiteSpace(endpoint.Endpoint))
                {
                    options.Endpoint = ParseEndpoint(endpoint);
                }

                return new OpenAIClient(new ApiKeyCredential(RequireKey(endpoint, provider)), options);
            }

            case "azure-openai":
            {
                var options = new AzureOpenAIClientOptions { NetworkTimeout = networkTimeout };
                Retries(options, sdkRetries);
                return new AzureOpenAIClient(RequireEndpoint(endpoint, provider), new ApiKeyCredential(RequireKey(endpoint, provider)), options);
            }

            case "openai-compatible":
            {
                var options = new OpenAIClientOptions { Endpoint = RequireEndpoint(endpoint, provider), NetworkTimeout = networkTimeout };
                Retries(options, sdkRetries);
                return new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(endpoint.ApiKey) ? NoKey : endpoint.ApiKey), options);
            }

            default:
                throw new ClippingsException($"Unknown provider '{endpoint.Provider}' in {endpoint.Section}:Provider. Use {endpoint.AllowedProviders}.");
        }
    }

    private static void Retries(ClientPipelineOptions options, int? sdkRetries)
    {
        if (sdkRetries is { } retries)
        {
            options.RetryPolicy = new ClientRetryPolicy(retries);
        }
    }

    private static string RequireKey(ModelEndpoint endpoint, string provider) =>
        string.IsNullOrWhiteSpace(endpoint.ApiKey)
            ? throw new ClippingsException($"{endpoint.Section}:ApiKey is required for provider '{provider}'. Set it in appsettings.json or the {endpoint.Section.Replace(":", "__", StringComparison.Ordinal)}__ApiKey environment variable.")
            : endpoint.ApiKey;

    private static Uri RequireEndpoint(ModelEndpoint endpoint, string provider) =>
        string.IsNullOrWhiteSpace(endpoint.Endpoint)
            ? throw new ClippingsException($"{endpoint.Section}:Endpoint is required for provider '{provider}' (e.g. https://NAME.openai.azure.com/ or http://localhost:11434/v1).")
            : ParseEndpoint(endpoint);

    private static Uri ParseEndpoint(ModelEndpoint endpoint) =>
        Uri.TryCreate(endpoint.Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ClippingsException($"{endpoint.Section}:Endpoint '{endpoint.Endpoint}' is not an http(s) URL.");
}

/// <summary>Where a model is served: the settings of one <c>Clippings:*</c> section, named for error messages.</summary>
public sealed record ModelEndpoint(string Section, string Provider, string? Endpoint, string? Model, string? ApiKey, string AllowedProviders);
