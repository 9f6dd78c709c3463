using System.Text;
using Clippings.Archive;
using Clippings.Ingestion.Readers;
using Clippings.Ingestion.StaticSites;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clippings.Ingestion;

/// <summary>What one file gave: its articles and bios, or the reason it could not be read, or why it holds no article on purpose.</summary>
public sealed record ArchiveFileResult(string Path, string? Format, IReadOnlyList<Article> Articles, IReadOnlyList<AuthorProfile> Authors, IReadOnlyList<string> Warnings, string? Error)
{
    public bool Failed => Error is not null;

    /// <summary>Why a readable file is not an article (redirect stub, draft, listing page, author record); null otherwise.</summary>
    public string? Skipped { get; init; }
}

/// <summary>
/// Walks files and folders, picks a reader by each file's content (not just its extension), and reads it.
/// A broken file becomes a result with its path and reason; the rest of the archive still reads.
/// </summary>
public sealed class ArchiveLoader
{
    /// <summary>Files larger than this are refused (a CMS page or an export file is far smaller).</summary>
    public const long DefaultMaxFileBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Longer article texts are refused: a million characters is a book, not a piece, and would tie the encoder up
    /// for hours (a 50 MB one-line file is junk or a mis-export). Export files may still be large: the limit is per article.
    /// </summary>
    public const int MaxArticleChars = 1_000_000;

    /// <summary>
    /// A file in a one-article format (an HTML page, Markdown, text) larger than this is refused before parsing:
    /// it cannot hold a piece under <see cref="MaxArticleChars"/> with ordinary markup, and parsing it costs seconds and gigabytes.
    /// </summary>
    public const int MaxPageChars = 8 * MaxArticleChars;

    private static readonly HashSet<string> KnownExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".html", ".htm", ".xml", ".wxr", ".json", ".jsonl", ".ndjson", ".md", ".markdown", ".txt", ".csv",
    };

    private readonly IReadOnlyList<IArchiveReader> _readers;
    private readonly ILogger _logger;
    private readonly StaticSiteCatalog _sites = new();

    public ArchiveLoader(ILogger<ArchiveLoader>? logger = null, long maxFileBytes = DefaultMaxFileBytes)
    {
        // Most specific first: a file opening with front matter (or a .md file) is a static-site document whatever HTML
        // or JSON it holds; a WXR file is XML that mentions HTML; a Medium export page is HTML with its own markup;
        // plain text takes anything left.
        _readers = [new MarkdownArticleReader(), new WxrArticleReader(), new JsonArticleReader(), new SubstackArticleReader(), new MediumArticleReader(), new HtmlArticleReader(), new PlainTextArticleReader()];
        _logger = logger ?? (ILogger)NullLogger.Instance;
        MaxFileBytes = maxFileBytes;
    }

    public long MaxFileBytes { get; }

    /// <summary>Every archive file under the given paths (folders walked; hidden files and unknown extensions skipped).</summary>
    public static IReadOnlyList<string> EnumerateFiles(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
                    .Where(f => !Path.GetFileName(f).StartsWith('.') && KnownExtensions.Contains(Path.GetExtension(f)))
                    .Select(Path.GetFullPath)
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                throw new ClippingsException($"No such file or folder: {path}");
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Reads every file, a few at a time (cheap next to embedding); results keep the files' order. Ingest and
    /// <c>inspect</c> both read through here, so what <c>inspect</c> shows is what <c>ingest</c> stores.
    /// </summary>
    public async Task<IReadOnlyList<ArchiveFileResult>> ReadAllAsync(IReadOnlyList<string> files, ArchiveReadOptions? options, Action<int>? fileRead, CancellationToken cancellationToken)
    {
        var results = new ArchiveFileResult[files.Count];
        var read = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken }, async (i, ct) =>
        {
            results[i] = await ReadFileAsync(files[i], options, ct).ConfigureAwait(false);
            fileRead?.Invoke(Interlocked.Increment(ref read));
        }).ConfigureAwait(false);
        return results;
    }

    public Task<ArchiveFileResult> ReadFileAsync(string path, CancellationToken cancellationToken) =>
        ReadFileAsync(path, null, cancellationToken);

    public async Task<ArchiveFileResult> ReadFileAsync(string path, ArchiveReadOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                return Failure(path, null, $"file is {info.Length / (1024 * 1024)} MB, over the {MaxFileBytes / (1024 * 1024)} MB limit for one archive file");
            }

            if (info.Length == 0)
            {
                return Failure(path, null, "file is empty");
            }

            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8192)) >= 0)
            {
                return Failure(path, null, "binary data, not a text archive file");
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                text = text.TrimStart('\uFEFF'); // as File.ReadAllText did: a byte-order mark is not text
            }
            catch (DecoderFallbackException ex)
            {
                return Failure(path, null, $"not valid UTF-8 text (bad byte at offset {ex.Index}); convert the file to UTF-8");
            }

            if (SubstackArticleReader.IsExportFragment(path))
            {
                // Read with the posts.csv above it (title and date live there); on its own it would be an untitled page.
                return new ArchiveFileResult(path, "substack", [], [], [], null) { Skipped = "a Substack post body, read with the export's posts.csv" };
            }

            var head = text.Length > 4096 ? text[..4096] : text;
            var site = _sites.Find(path, options?.BaseUrl);
            var hasFrontMatter = FrontMatter.StartsWithFence(head) || IsMarkdown(path) && head.StartsWith('{');
            if (_sites.NotAnArticle(path, hasFrontMatter, site) is { } notAnArticle)
            {
                // A site's author data file still carries bios.
                var bios = notAnArticle.StartsWith("site data", StringComparison.Ordinal) && Path.GetFileNameWithoutExtension(path).Equals("authors", StringComparison.OrdinalIgnoreCase)
                    ? site!.Authors.Values.Distinct().ToList() : [];
                return new ArchiveFileResult(path, null, [], bios, [], null) { Skipped = notAnArticle };
            }

            var reader = _readers.First(r => r.CanRead(path, head));
            if (reader is PlainTextArticleReader && !path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            {
                return Failure(path, null, "not a recognised archive format (HTML, WordPress WXR, JSON/JSONL, Markdown, Substack posts.csv or .txt)");
            }

            if (text.Length > MaxPageChars && reader is HtmlArticleReader or MediumArticleReader or MarkdownArticleReader or PlainTextArticleReader)
            {
                return Failure(path, reader.Format, $"a one-article {reader.Format} file of {text.Length / (1024 * 1024)} M characters is over the {MaxPageChars / (1024 * 1024)} M-character page limit (an article is at most {MaxArticleChars:N0} characters); split it or check the export");
            }

            var result = reader is ISiteAwareReader siteAware
                ? await siteAware.ReadAsync(path, text, site, cancellationToken).ConfigureAwait(false)
                : await reader.ReadAsync(path, text, cancellationToken).ConfigureAwait(false);
            var oversized = result.Articles.Where(a => a.Text.Length > MaxArticleChars).ToList();
            if (oversized.Count > 0 && oversized.Count == result.Articles.Count)
            {
                return Failure(path, reader.Format, $"article text of {oversized.Max(a => a.Text.Length):N0} characters is over the {MaxArticleChars:N0}-character limit for one article; split it or check the export");
            }

            var warnings = result.Warnings.Concat(oversized.Select(a => $"article {a.Id} has {a.Text.Length:N0} characters, over the {MaxArticleChars:N0}-character limit for one article; skipped")).ToList();
            return new ArchiveFileResult(path, reader.Format, result.Articles.Except(oversized).ToList(), result.Authors, warnings, null) { Skipped = result.SkipReason };
        }
        catch (ArchiveFormatException ex)
        {
            return Failure(path, null, ex.Message);
        }
        catch (IOException ex)
        {
            return Failure(path, null, $"cannot read the file: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return Failure(path, null, $"no permission to read the file: {ex.Message}");
        }
    }

    private static bool IsMarkdown(string path) =>
        Path.GetExtension(path).ToUpperInvariant() is ".MD" or ".MARKDOWN";

    private ArchiveFileResult Failure(string path, string? format, string reason)
    {
        _logger.LogWarning("Could not read {Path}: {Reason}", path, reason);
        return new ArchiveFileResult(path, format, [], [], [], reason);
    }
}
