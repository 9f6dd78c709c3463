namespace Clippings.Archive;

/// <summary>How exact a publication date is; month and year dates are stored on the 1st.</summary>
public enum DatePrecision { Day, Month, Year }

/// <summary>
/// One published piece as Clippings stores it. <see cref="Text"/> is the clean article text
/// (paragraphs separated by a blank line); every passage and citation offset points into it.
/// </summary>
public sealed record Article
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public IReadOnlyList<string> Authors { get; init; } = [];
    public string? Publication { get; init; }
    public string? Section { get; init; }
    public DateOnly? Published { get; init; }
    public DatePrecision DatePrecision { get; init; } = DatePrecision.Day;
    public string? Url { get; init; }
    public required string Text { get; init; }

    /// <summary>Where the article was read from (file path), for error reports and logs.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Stable hash of everything that is indexed; unchanged hash means re-ingest can skip it.</summary>
    public string ContentHash => ArticleHashing.ComputeHash(this);

    public ArticleSummary ToSummary() => new(Id, Title, Authors, Publication, Section, Published, DatePrecision, Url);
}

/// <summary>Article metadata without the text: what search results and citations carry.</summary>
public sealed record ArticleSummary(
    string Id,
    string Title,
    IReadOnlyList<string> Authors,
    string? Publication,
    string? Section,
    DateOnly? Published,
    DatePrecision DatePrecision,
    string? Url)
{
    /// <summary>The whole article, from its metadata and the stored text.</summary>
    public Article ToArticle(string text, string? sourcePath) => new()
    {
        Id = Id, Title = Title, Authors = Authors, Publication = Publication, Section = Section,
        Published = Published, DatePrecision = DatePrecision, Url = Url, Text = text, SourcePath = sourcePath,
    };
}

/// <summary>An author as the archive knows them: a bio from an "About the author" box or an authors file.</summary>
public sealed record AuthorProfile(string Name, string? Bio);

/// <summary>An author with what they wrote here.</summary>
public sealed record AuthorSummary(string Name, string? Bio, int ArticleCount, DateOnly? FirstPublished, DateOnly? LastPublished);
