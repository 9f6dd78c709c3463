using Clippings.Archive;

namespace Clippings.Ingestion;

/// <summary>
/// Reads one archive file format (CMS HTML, WordPress WXR, JSON/JSONL, Markdown, plain text).
/// The loader picks the reader by content (<see cref="CanRead"/>), not only by extension.
/// </summary>
public interface IArchiveReader
{
    /// <summary>Short format name used in logs and reports: html, wxr, json, markdown, text.</summary>
    string Format { get; }

    /// <summary>True when the file looks like this format. <paramref name="head"/> is the first few KB, decoded as UTF-8.</summary>
    bool CanRead(string path, string head);

    /// <summary>
    /// Reads every article in the file, given its whole <paramref name="text"/> (the loader has already read and decoded it once).
    /// Throws <see cref="ArchiveFormatException"/> with a clear reason for a broken file.
    /// </summary>
    Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken);
}

/// <summary>
/// What one file yielded: its articles, the author bios it carried, and non-fatal warnings (e.g. a missing date).
/// <see cref="SkipReason"/> says why a readable file holds no article on purpose (a redirect stub, a draft, a listing
/// template, an author record): it is neither an article nor a failure.
/// </summary>
public sealed record ArchiveReadResult(IReadOnlyList<Article> Articles, IReadOnlyList<AuthorProfile> Authors, IReadOnlyList<string> Warnings)
{
    public string? SkipReason { get; init; }

    /// <summary>A file that is deliberately not an article; <paramref name="authors"/> may still carry bios (an author record).</summary>
    public static ArchiveReadResult Skip(string reason, IReadOnlyList<AuthorProfile>? authors = null) =>
        new([], authors ?? [], []) { SkipReason = reason };
}

/// <summary>A file that cannot be read as an archive; the message names the reason.</summary>
public sealed class ArchiveFormatException : ClippingsException
{
    public ArchiveFormatException(string message) : base(message) { }
    public ArchiveFormatException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A reader that also wants the file's static site (root, base URL, author records): posts of Jekyll, Hugo and similar
/// sites name authors by slug and leave URLs to the site. The loader finds the site once per root and passes it in.
/// </summary>
public interface ISiteAwareReader
{
    Task<ArchiveReadResult> ReadAsync(string path, string text, StaticSites.SiteContext? site, CancellationToken cancellationToken);
}

/// <summary>Per-ingest settings for reading files: <see cref="BaseUrl"/> is the published site's address (overrides the site's own configuration).</summary>
public sealed record ArchiveReadOptions(string? BaseUrl = null);
