using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clippings.Insights;

/// <summary>
/// What readers asked in a period and what the archive could not answer: the JSON of <c>GET /api/insights</c>
/// and <c>clippings insights --json</c>. Dates are UTC days (yyyy-mm-dd), times ISO 8601 UTC.
/// </summary>
public sealed record InsightsReport(
    string Since,
    string Until,
    QuestionCounts Questions,
    IReadOnlyList<RefusedQuestionGroup> Refused,
    IReadOnlyList<DownratedAnswer> Downrated,
    IReadOnlyList<AskedTopic> Topics,
    IReadOnlyList<CitedPiece> MostCited)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>How many questions, answered and refused, overall, per channel, per day, and why refusals happened.</summary>
public sealed record QuestionCounts(
    int Total,
    int Answered,
    int Refused,
    IReadOnlyList<ChannelCount> ByChannel,
    IReadOnlyList<DayCount> ByDay,
    IReadOnlyList<ReasonCount> RefusalReasons);

public sealed record ChannelCount(string Channel, int Total, int Refused);

public sealed record DayCount(string Date, int Total, int Refused);

/// <summary><c>nothing-found</c>, <c>absent-name</c>, <c>missing-article</c>, <c>false-premise</c> or <c>not-a-question</c>.</summary>
public sealed record ReasonCount(string Reason, int Count);

/// <summary>
/// One question the archive could not answer, however it was typed: <see cref="Count"/> times in the period,
/// <see cref="Examples"/> the different ways it was typed (most frequent first), on which channels.
/// </summary>
public sealed record RefusedQuestionGroup(string Question, int Count, IReadOnlyList<string> Examples, string LastAsked, IReadOnlyList<string> Channels);

/// <summary>An answer a reader rated down, with the pieces it cited and what the reader wrote.</summary>
public sealed record DownratedAnswer(string? Question, string? Comment, IReadOnlyList<ArticleReference> Citations, string Channel, string RatedAt);

public sealed record ArticleReference(string Id, string? Title, string? Url);

/// <summary>A word readers' questions share (stemmed: "oyster" and "oysters" are one), in how many questions, how many refused.</summary>
public sealed record AskedTopic(string Topic, int Count, int Refused);

/// <summary>A piece answers cited, and in how many answers.</summary>
public sealed record CitedPiece(string Id, string? Title, IReadOnlyList<string> Authors, string? Published, string? Url, int Count);
