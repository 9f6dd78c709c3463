using System.Globalization;
using System.Text;
using Clippings.Answering;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Bot;

/// <summary>
/// Turns a cited <see cref="Answer"/> into a Bot Framework message for the channel it goes to:
/// Markdown with <c>[n]</c> markers, a <c>https://schema.org/Message</c> entity whose <c>citation</c> Claims
/// Teams and Web Chat render as pills with quote pop-ups, the AI-generated label, feedback buttons, suggested
/// follow-ups, and a plain-text sources list on channels that render no citations.
/// </summary>
internal static class AnswerActivityFactory
{
    // Teams' documented limits for citations (larger values make Teams drop the entity).
    public const int MaxCitations = 20;
    public const int MaxNameLength = 80;
    public const int MaxAbstractLength = 160;
    public const int MaxKeywords = 3;
    public const int MaxKeywordLength = 28;

    public const string MessageEntityType = "https://schema.org/Message";

    /// <summary>Channels whose clients render the Message entity's citations (Web Chat in its hosts, Teams).</summary>
    public static bool RendersCitations(string? channelId) =>
        channelId is Channels.Msteams or Channels.Webchat or Channels.Directline or Channels.Emulator or "directlinespeech";

    public static Activity Create(Answer answer, string? channelId, int suggestedActions)
    {
        var activity = MessageFactory.Text(BuildText(answer, channelId));
        activity.TextFormat = TextFormatTypes.Markdown;
        activity.Entities = [CreateMessageEntity(answer, channelId)];
        if (channelId == Channels.Msteams)
        {
            // Teams shows thumbs up/down and sends a message/submitAction invoke (older clients read feedbackLoopEnabled).
            activity.ChannelData = new JObject
            {
                ["feedbackLoop"] = new JObject { ["type"] = "default" },
                ["feedbackLoopEnabled"] = true,
            };
        }

        if (!SendsSuggestionsApart(channelId))
        {
            activity.SuggestedActions = SuggestedActionsFor(answer.SuggestedQuestions, suggestedActions);
        }

        return activity;
    }

    /// <summary>
    /// Teams clients (the Agents Playground, checked) render a message carrying suggested actions as an "action"
    /// message: plain text, no citation pills, no Markdown. There the suggestions go in a message of their own after it.
    /// </summary>
    public static bool SendsSuggestionsApart(string? channelId) => channelId == Channels.Msteams;

    /// <summary>Up to <paramref name="max"/> questions as buttons that send their text; null when there are none.</summary>
    public static SuggestedActions? SuggestedActionsFor(IEnumerable<string> questions, int max)
    {
        var actions = questions.Take(max).Select(q => new CardAction(ActionTypes.ImBack, title: q, value: q)).ToList();
        return actions.Count == 0 ? null : new SuggestedActions { Actions = actions };
    }

    /// <summary>The message that carries suggestions on its own (<see cref="SendsSuggestionsApart"/>): a short lead-in and the buttons.</summary>
    public static Activity? SuggestionsMessage(string leadIn, IEnumerable<string> questions, int max)
    {
        if (SuggestedActionsFor(questions, max) is not { } actions)
        {
            return null;
        }

        var message = MessageFactory.Text(leadIn);
        message.SuggestedActions = actions;
        return message;
    }

    /// <summary>
    /// The text: the answer's Markdown, then (for Web Chat) reference definitions <c>[n]: cite:n "title"</c> that
    /// it turns into citation badges, or (for channels without citation support) a plain sources list.
    /// Teams reads its pills from the entity alone.
    /// </summary>
    public static string BuildText(Answer answer, string? channelId)
    {
        var text = new StringBuilder(EscapeHtml(answer.Text.Trim()));
        if (answer.Note is not null)
        {
            text.Append("\n\n_").Append(EscapeHtml(answer.Note)).Append('_');
        }

        if (answer.Citations.Count == 0 || channelId == Channels.Msteams)
        {
            return text.ToString();
        }

        text.Append("\n\n");
        if (RendersCitations(channelId))
        {
            foreach (var citation in answer.Citations.Take(MaxCitations))
            {
                // cite:n opens Web Chat's pop-up with the exact quote; the article link is in the Claim.
                text.Append(CultureInfo.InvariantCulture, $"[{citation.N}]: cite:{citation.N} \"{Title(citation).Replace("\"", "'", StringComparison.Ordinal)}\"\n");
            }
        }
        else
        {
            text.Append("Sources:\n");
            foreach (var citation in answer.Citations)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{citation.N}] {Byline(citation)}");
                if (!string.IsNullOrWhiteSpace(citation.Url))
                {
                    text.Append(" — ").Append(citation.Url);
                }

                text.Append("\n    “").Append(citation.Quote.Replace('\n', ' ')).Append("”\n");
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The root Message entity: the citations, the AI-generated label and (Web Chat) the feedback actions.</summary>
    public static Entity CreateMessageEntity(Answer answer, string? channelId)
    {
        var claims = new JArray();
        var titlesSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var citation in answer.Citations.Take(MaxCitations))
        {
            // Web Chat and Teams list references by name: a second quote from the same piece names its opening words,
            // or the list shows one title twice.
            var name = titlesSeen.Add(citation.Title) ? citation.Title : $"{citation.Title} — “{OpeningWords(citation.Quote)}…”";
            var appearance = new JObject
            {
                ["@type"] = "DigitalDocument",
                ["name"] = Clip(name, MaxNameLength),
                ["abstract"] = Clip(citation.Quote, MaxAbstractLength),
                ["text"] = EscapeHtml($"“{citation.Quote}”\n\n{Byline(citation)}"),
                ["keywords"] = new JArray(Keywords(citation).Cast<object>().ToArray()),
            };
            var claim = new JObject
            {
                ["@type"] = "Claim",
                ["@id"] = $"_:c{citation.N}",
                ["position"] = citation.N,
                ["appearance"] = appearance,
            };
            if (!string.IsNullOrWhiteSpace(citation.Url))
            {
                if (channelId == Channels.Msteams)
                {
                    // Teams' pill opens the quote and links the article from it.
                    appearance["url"] = citation.Url;
                }
                else
                {
                    // Web Chat opens an appearance that has a url as a plain link, skipping the quote; without one it
                    // shows appearance.text in its citation pop-up. So the link goes inside that text, and the Claim
                    // keeps the article's address (Web Chat ignores a Claim's own url).
                    claim["url"] = citation.Url;
                    if (MarkdownLinkTarget(citation.Url) is { } target)
                    {
                        appearance["text"] = (string?)appearance["text"] + $"\n\n[Read the article]({target})";
                    }
                }
            }

            claims.Add(claim);
        }

        var message = new JObject
        {
            ["@type"] = "Message",
            ["@context"] = "https://schema.org",
            ["@id"] = "",
            // Teams reads additionalType, Web Chat reads keywords: both mean "AI generated".
            ["additionalType"] = new JArray("AIGeneratedContent"),
            ["keywords"] = new JArray("AIGeneratedContent"),
            ["citation"] = claims,
        };
        if (channelId != Channels.Msteams)
        {
            // Web Chat shows thumbs for these and posts a feedback event naming the action that was clicked.
            message["potentialAction"] = new JArray(
                new JObject { ["@type"] = "LikeAction", ["@id"] = "_:like" },
                new JObject { ["@type"] = "DislikeAction", ["@id"] = "_:dislike" });
        }

        var entity = new Entity(MessageEntityType);
        foreach (var property in message.Properties())
        {
            entity.Properties[property.Name] = property.Value;
        }

        return entity;
    }

    /// <summary>
    /// The address as a Markdown link target: http(s) only (anything else could be a script URL), with the characters
    /// that would end the link or break out of it percent-encoded.
    /// </summary>
    internal static string? MarkdownLinkTarget(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        return uri.AbsoluteUri
            .Replace("(", "%28", StringComparison.Ordinal)
            .Replace(")", "%29", StringComparison.Ordinal)
            .Replace(" ", "%20", StringComparison.Ordinal)
            .Replace("<", "%3C", StringComparison.Ordinal)
            .Replace(">", "%3E", StringComparison.Ordinal);
    }

    private static string Title(Citation citation) => Clip($"{citation.Title} — {Byline(citation)}", 120);

    private static string Byline(Citation citation)
    {
        var parts = new List<string> { CitationFormatting.FormatAuthors(citation.Authors) };
        if (!string.IsNullOrWhiteSpace(citation.Publication))
        {
            parts.Add(citation.Publication!);
        }

        if (!string.IsNullOrWhiteSpace(citation.Published))
        {
            parts.Add(citation.Published!);
        }

        return string.Join(", ", parts);
    }

    private static IEnumerable<string> Keywords(Citation citation) =>
        new[] { citation.Authors.FirstOrDefault(), citation.Published, citation.Publication }
            .Where(k => !string.IsNullOrWhiteSpace(k))
            .Select(k => Clip(k!, MaxKeywordLength))
            .Take(MaxKeywords);

    /// <summary>
    /// Archive text inside Markdown: Web Chat renders raw HTML in Markdown, so a quote holding
    /// <c>&lt;img onerror=…&gt;</c> would run script on the reader's page. Escaped, it shows as the text it is.
    /// </summary>
    public static string EscapeHtml(string markdown) => markdown
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Cuts at a word boundary and adds an ellipsis so the result fits <paramref name="max"/> characters.</summary>
    private static string OpeningWords(string quote) =>
        string.Join(' ', quote.Replace('\n', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(6)).TrimEnd(',', ';', ':', '.');

    public static string Clip(string value, int max)
    {
        var flat = value.Replace('\n', ' ').Trim();
        if (flat.Length <= max)
        {
            return flat;
        }

        var cut = flat[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        if (space > max / 2)
        {
            cut = cut[..space];
        }

        return cut.TrimEnd(' ', ',', ';', ':') + "…";
    }
}
