using Clippings.Archive;
using Clippings.Storage;

namespace Clippings.Retrieval;

/// <summary>
/// What retrieval found for a question: ranked passages, the same grouped to articles, and for author
/// questions the authors' profiles and their pieces. <see cref="IsRelevant"/> is the calibrated
/// "the archive has something on this" decision; when false, composers refuse and suggest <see cref="Articles"/>.
/// </summary>
public sealed record RetrievalResult
{
    public IReadOnlyList<PassageHit> Passages { get; init; } = [];
    public IReadOnlyList<ArticleMatch> Articles { get; init; } = [];
    public bool IsRelevant { get; init; }

    /// <summary>Best dense (cosine) similarity seen, the main relevance signal.</summary>
    public double TopDenseScore { get; init; }

    public IReadOnlyList<AuthorSummary> Authors { get; init; } = [];

    /// <summary>For author and listing questions: the matching pieces by metadata, newest first.</summary>
    public IReadOnlyList<ArticleSummary> Listing { get; init; } = [];

    /// <summary>What retrieval had to do that the answer must say ("nothing by X; searched the whole archive").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The name the question uses that the archive never prints (why it was refused), when that was the reason.</summary>
    public string? AbsentName { get; init; }

    /// <summary>
    /// When the calibrated thresholds made the relevance decision (no rule about names, listings or follow-ups settled it
    /// first), what they compared; null otherwise. `clippings calibrate` replays the decision at other thresholds from it.
    /// </summary>
    public ThresholdDecision? ByThresholds { get; init; }
}

/// <summary>
/// The threshold part of the relevance decision: the best cosine, and the rare word the archive never prints (if any)
/// that makes a middling match off-topic. The one place the rule is written, for retrieval and for calibration alike.
/// </summary>
public sealed record ThresholdDecision(double TopDense, string? RareWord)
{
    public bool IsRelevantAt(double relevanceThreshold, double confidentThreshold) =>
        TopDense >= relevanceThreshold && (RareWord is null || TopDense >= confidentThreshold);
}

/// <summary>An article with the passages that matched, best first.</summary>
public sealed record ArticleMatch(ArticleSummary Article, double Score, IReadOnlyList<PassageHit> Passages);
