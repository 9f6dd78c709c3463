using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clippings.Server.DirectLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Website;

/// <summary>What the page needs to open Web Chat: a token for one new conversation, and where Direct Line is.</summary>
public sealed record WebChatToken(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("conversationId")] string ConversationId,
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("domain")] string? Domain);

/// <summary>
/// Issues the page's Web Chat token: from the local Direct Line endpoint, or, with <c>Clippings:WebChat:DirectLine = azure</c>,
/// by exchanging the Azure Direct Line secret for a token server-side (the secret never reaches the browser).
/// </summary>
public sealed class WebChatTokenIssuer
{
    public const string AzureHttpClient = "azure-directline";

    private readonly WebChatOptions _options;
    private readonly DirectLineTokens _localTokens;
    private readonly IHttpClientFactory _http;
    private readonly ILogger<WebChatTokenIssuer> _logger;

    public WebChatTokenIssuer(IOptions<WebChatOptions> options, DirectLineTokens localTokens, IHttpClientFactory http, ILogger<WebChatTokenIssuer> logger)
    {
        _options = options.Value;
        _localTokens = localTokens;
        _http = http;
        _logger = logger;
    }

    public async Task<WebChatToken> IssueAsync(CancellationToken cancellationToken)
    {
        // Azure asks that Direct Line user ids start with "dl_".
        var userId = "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        if (!_options.UsesAzure)
        {
            var conversationId = DirectLineTokens.NewConversationId();
            return new WebChatToken(_localTokens.Issue(conversationId, userId), conversationId, userId, (int)_localTokens.Lifetime.TotalSeconds, null);
        }

        if (string.IsNullOrWhiteSpace(_options.AzureSecret))
        {
            throw new ClippingsException("Clippings:WebChat:DirectLine is 'azure' but Clippings:WebChat:AzureSecret is empty: set the bot's Direct Line secret from the Azure portal, or use 'local'.");
        }

        var endpoint = _options.AzureEndpoint.TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint + "/tokens/generate")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { user = new { id = userId } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AzureSecret);
        HttpResponseMessage response;
        try
        {
            response = await _http.CreateClient(AzureHttpClient).SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ClippingsException($"Azure Direct Line ({endpoint}) could not be reached: {ex.Message}. Check Clippings:WebChat:AzureEndpoint and the network.", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                _logger.LogError("Azure Direct Line refused a token: {StatusCode}", (int)response.StatusCode);
                throw new ClippingsException($"Azure Direct Line refused the secret ({(int)response.StatusCode}): check Clippings:WebChat:AzureSecret.");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var root = json.RootElement;
            return new WebChatToken(
                root.GetProperty("token").GetString()!,
                root.GetProperty("conversationId").GetString()!,
                userId,
                root.TryGetProperty("expires_in", out var expires) ? expires.GetInt32() : 3600,
                endpoint);
        }
    }
}
