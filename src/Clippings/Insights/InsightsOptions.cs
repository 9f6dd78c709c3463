namespace Clippings.Insights;

/// <summary>Bound from <c>Clippings:Insights</c>: the question log editors' insights are built from.</summary>
public sealed class InsightsOptions
{
    public const string SectionName = "Clippings:Insights";

    /// <summary>Off: no question or rating is logged, and the insights endpoints, page and command say they are off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// SQLite file of the question log. Unset: <c>insights.db</c> beside the SQLite index, or <c>data/insights.db</c>
    /// when the index is Qdrant.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Questions and ratings older than this many days are deleted.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// Cosine of two refused questions' embeddings at or above which they count as one question typed two ways.
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.9;

    /// <summary>Most entries in each list of the report (refused groups, rated-down answers, topics, cited pieces).</summary>
    public int MaxItems { get; set; } = 25;

    /// <summary>Most differently typed examples shown for one refused question.</summary>
    public int MaxExamples { get; set; } = 5;

    /// <summary>Days a report covers when no start date is given.</summary>
    public int DefaultDays { get; set; } = 30;

    /// <summary>The log file: the configured path, else beside the SQLite index, else <c>data/insights.db</c>.</summary>
    public string ResolvePath(Storage.IndexOptions index)
    {
        if (!string.IsNullOrWhiteSpace(Path))
        {
            return System.IO.Path.GetFullPath(Path);
        }

        var sqlite = string.Equals(index.Provider?.Trim(), "sqlite", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(index.Provider);
        var folder = sqlite && !string.IsNullOrWhiteSpace(index.Path)
            ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(index.Path))
            : null;
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(folder ?? "data", "insights.db"));
    }
}
