using Newtonsoft.Json.Linq;

namespace Clippings.Server.Bot;

/// <summary>
/// A page asking to scope the conversation to one article. Accepted shapes (all optional):
/// an event <c>clippings/scope</c> with <c>value: { articleUrl, articleId }</c>, or any message whose
/// <c>channelData.clippings</c> or <c>value</c> carries <c>articleUrl</c> / <c>articleId</c>.
/// </summary>
internal sealed record ScopeRequest(string? ArticleUrl, string? ArticleId)
{
    public static ScopeRequest? From(object? payload)
    {
        if (payload is not JObject json)
        {
            return null;
        }

        var holder = json["clippings"] as JObject ?? json;
        var url = Text(holder["articleUrl"]);
        var id = Text(holder["articleId"]);
        return url is null && id is null ? null : new ScopeRequest(url, id);
    }

    private static string? Text(JToken? token) =>
        token?.Type == JTokenType.String && !string.IsNullOrWhiteSpace((string?)token) ? ((string)token!).Trim() : null;
}
