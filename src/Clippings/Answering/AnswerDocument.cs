using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clippings.Answering;

/// <summary>
/// The public JSON shape of an answer, shared by <c>clippings ask --json</c> and <c>POST /api/ask</c>:
/// <c>{ "answer", "refused", "citations": [ { "n", "articleId", "title", "authors", "publication", "published", "url", "quote", "start", "end" } ] }</c>
/// plus descriptive extras.
/// </summary>
public sealed record AnswerDocument(
    string Answer,
    bool Refused,
    IReadOnlyList<Citation> Citations,
    string Form,
    IReadOnlyList<string> SuggestedQuestions,
    string? StandaloneQuestion,
    string? Note,
    string ComposedBy,
    IReadOnlyList<ClosestArticleDocument> ClosestArticles)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The answer's Markdown made safe to render (<see cref="SafeMarkdown"/>), titles as plain text; quotes stay the exact stored text.</summary>
    public static AnswerDocument From(Answer answer) => new(
        SafeMarkdown.Escape(answer.Text),
        answer.Refused,
        answer.Citations.Select(c => c with { Title = SafeMarkdown.PlainText(c.Title) }).ToList(),
        answer.Form.ToString().ToLowerInvariant(),
        answer.SuggestedQuestions,
        answer.StandaloneQuestion,
        answer.Note,
        answer.ComposedBy,
        answer.ClosestArticles.Select(a => new ClosestArticleDocument(a.Id, SafeMarkdown.PlainText(a.Title), a.Authors, a.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), a.Url)).ToList());

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

public sealed record ClosestArticleDocument(string Id, string Title, IReadOnlyList<string> Authors, string? Published, string? Url);
