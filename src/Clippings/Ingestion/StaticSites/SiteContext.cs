using System.Collections.Concurrent;
using Clippings.Archive;

namespace Clippings.Ingestion.StaticSites;

/// <summary>
/// What a static site (Jekyll, Hugo, a Go-style blog folder) knows beyond one post: its root folder, base URL, title and
/// author records (slug → name and bio). <see cref="Root"/> is null when no site root was found and only a base URL was given.
/// </summary>
public sealed record SiteContext(string? Root, string? BaseUrl, string? Title, IReadOnlyDictionary<string, AuthorProfile> Authors)
{
    public static SiteContext Empty { get; } = new(null, null, null, new Dictionary<string, AuthorProfile>());

    /// <summary>The full name for a byline entry that is a slug or a known name; null when the site does not know it.</summary>
    public AuthorProfile? Resolve(string entry) =>
        Authors.TryGetValue(entry.Trim(), out var profile) ? profile
        : Authors.Values.FirstOrDefault(p => string.Equals(p.Name, entry.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>An absolute URL for a post path or permalink, when the site's base URL is known.</summary>
    public string? Absolute(string? pathOrUrl)
    {
        if (string.IsNullOrWhiteSpace(pathOrUrl))
        {
            return null;
        }

        if (Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return pathOrUrl;
        }

        if (BaseUrl is null)
        {
            return null;
        }

        var trimmedBase = BaseUrl.TrimEnd('/');
        var relative = pathOrUrl.TrimStart('/');
        // A permalink may already carry the base path ("/blog/x" under "https://go.dev/blog").
        if (Uri.TryCreate(trimmedBase, UriKind.Absolute, out var baseUri) && baseUri.AbsolutePath.Trim('/') is { Length: > 0 } basePath
            && relative.StartsWith(basePath + "/", StringComparison.Ordinal))
        {
            relative = relative[(basePath.Length + 1)..];
        }

        return $"{trimmedBase}/{relative}";
    }
}

/// <summary>
/// Finds each file's static-site root once per folder and loads that site's configuration and author data once per root
/// (the loader reads files in parallel). Also tells side files (a post's HTML fragments, notes, READMEs) from articles.
/// </summary>
public sealed class StaticSiteCatalog
{
    private const int MaxLevels = 6;

    private static readonly string[] ConfigFiles =
    [
        "_config.yml", "_config.yaml", "_config.toml", "hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
    ];

    private static readonly string[] MarkerFolders = ["_data", "_authors", "_posts", "_layouts", "_includes"];

    private static readonly string[] DataExtensions = [".yml", ".yaml", ".json", ".toml"];

    private static readonly HashSet<string> ReadmeNames = new(StringComparer.OrdinalIgnoreCase) { "README", "LICENSE", "LICENCE", "CHANGELOG", "CONTRIBUTING", "CODE_OF_CONDUCT", "COPYING" };

    private readonly ConcurrentDictionary<string, string?> _rootOfFolder = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<SiteContext>> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _postsInFolder = new(StringComparer.Ordinal);

    /// <summary>The site a file belongs to, with <paramref name="baseUrl"/> (from the command line) over the site's own.</summary>
    public SiteContext? Find(string path, string? baseUrl)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        var root = folder is null ? null : RootOf(folder, MaxLevels);
        var site = root is null ? null : _sites.GetOrAdd(root, r => new Lazy<SiteContext>(() => Load(r))).Value;
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return site;
        }

        return (site ?? SiteContext.Empty) with { BaseUrl = baseUrl.Trim() };
    }

    /// <summary>
    /// Why a file without front matter is not an article of a static site, or null when it may be one: a README beside the
    /// posts, a file inside a post's own folder (its HTML fragments, copyright notes), a site's data file, or a .html/.txt
    /// file under a site root (Jekyll and Hugo copy those through as they are).
    /// </summary>
    public string? NotAnArticle(string path, bool hasFrontMatter, SiteContext? site)
    {
        path = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(path)!;
        var extension = Path.GetExtension(path).ToUpperInvariant();
        if (site?.Root is { } root && IsUnder(path, Path.Combine(root, "_data"), Path.Combine(root, "data")))
        {
            return "site data file (author records and settings), not an article";
        }

        if (hasFrontMatter)
        {
            return null;
        }

        var inPostFolder = PostsIn(folder).Count > 0;
        if (ReadmeNames.Contains(Path.GetFileNameWithoutExtension(path)) && (inPostFolder || site?.Root is not null))
        {
            return "a README without front matter beside the posts, not an article";
        }

        // A page bundle (post/index.md with its files) or a post's side folder (post.md beside post/ or post-2/...).
        if (PostsIn(folder).Any(p => Path.GetFileNameWithoutExtension(p) is "index" or "_index") && extension is not (".MD" or ".MARKDOWN"))
        {
            return "a side file in a post's folder (no front matter), not an article";
        }

        var child = folder;
        for (var level = 0; level < 4 && Path.GetDirectoryName(child) is { } parent; level++, child = parent)
        {
            var name = Path.GetFileName(child);
            if (PostsIn(parent).Any(p => Path.GetFileNameWithoutExtension(p).StartsWith(name, StringComparison.OrdinalIgnoreCase)))
            {
                return $"a side file of the post beside the folder {name}/ (no front matter), not an article";
            }
        }

        if (site?.Root is not null && extension is ".HTML" or ".HTM" or ".TXT")
        {
            return "a file without front matter under a static-site root (copied through by the site generator), not an article";
        }

        return null;
    }

    /// <summary>The author a site's author-record file describes (Jekyll _authors/x.md, Hugo content/authors/x/_index.md), or null.</summary>
    public static bool IsAuthorRecord(string path, SiteContext? site) =>
        site?.Root is { } root && IsUnder(Path.GetFullPath(path), Path.Combine(root, "_authors"), Path.Combine(root, "content", "authors"));

    private static bool IsUnder(string path, params string[] folders) =>
        folders.Any(f => path.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    private string? RootOf(string folder, int levels) =>
        _rootOfFolder.GetOrAdd(folder, f =>
        {
            if (IsRoot(f))
            {
                return f;
            }

            return levels > 0 && Path.GetDirectoryName(f) is { } parent ? RootOf(parent, levels - 1) : null;
        });

    private static bool IsRoot(string folder) =>
        ConfigFiles.Any(c => File.Exists(Path.Combine(folder, c)))
        || MarkerFolders.Any(m => Directory.Exists(Path.Combine(folder, m)))
        || Directory.Exists(Path.Combine(folder, "content")) && (Directory.Exists(Path.Combine(folder, "layouts")) || Directory.Exists(Path.Combine(folder, "archetypes")) || Directory.Exists(Path.Combine(folder, "themes")));

    /// <summary>Markdown files with front matter directly in <paramref name="folder"/> (read only as far as their first line).</summary>
    private IReadOnlyList<string> PostsIn(string folder) =>
        _postsInFolder.GetOrAdd(folder, f =>
        {
            try
            {
                return Directory.EnumerateFiles(f)
                    .Where(p => Path.GetExtension(p).ToUpperInvariant() is ".MD" or ".MARKDOWN")
                    .Where(p => FrontMatter.StartsWithFence(FirstLine(p)))
                    .ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return [];
            }
        });

    private static string FirstLine(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return (reader.ReadLine() ?? "") + "\n";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static SiteContext Load(string root)
    {
        string? baseUrl = null;
        string? title = null;
        foreach (var config in ConfigFiles.Select(c => Path.Combine(root, c)).Where(File.Exists))
        {
            if (FrontMatter.ParseDataFile(config) is IReadOnlyDictionary<string, object?> settings)
            {
                // Hugo's baseURL is absolute; Jekyll splits it into url (the host) and baseurl (a path). Keys are case-insensitive here.
                var url = FrontMatter.AsScalar(Get(settings, "url"));
                var basePath = FrontMatter.AsScalar(Get(settings, "baseurl"));
                if (basePath is not null && Uri.TryCreate(basePath, UriKind.Absolute, out var absoluteBase) && absoluteBase.Scheme is "http" or "https")
                {
                    (url, basePath) = (basePath, null);
                }

                baseUrl ??= url is { Length: > 0 } ? url.TrimEnd('/') + (basePath is { Length: > 0 } && basePath.Trim('/').Length > 0 ? "/" + basePath.Trim('/') : "") : null;
                title ??= FrontMatter.AsScalar(Get(settings, "title"));
            }
        }

        var authors = new Dictionary<string, AuthorProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var data in new[] { Path.Combine(root, "_data"), Path.Combine(root, "data") })
        {
            foreach (var file in DataExtensions.Select(e => Path.Combine(data, "authors" + e)).Where(File.Exists))
            {
                AddAuthors(authors, FrontMatter.ParseDataFile(file), null);
            }

            var perAuthor = Path.Combine(data, "authors");
            if (Directory.Exists(perAuthor))
            {
                foreach (var file in Directory.EnumerateFiles(perAuthor).Where(f => DataExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())))
                {
                    AddAuthors(authors, FrontMatter.ParseDataFile(file), Path.GetFileNameWithoutExtension(file));
                }
            }
        }

        foreach (var folder in new[] { Path.Combine(root, "_authors"), Path.Combine(root, "content", "authors") })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories))
            {
                if (ReadAuthorRecord(file) is { } record)
                {
                    authors.TryAdd(record.Slug, record.Profile);
                }
            }
        }

        return new SiteContext(root, baseUrl, title, authors);
    }

    /// <summary>An author-record Markdown file: slug, full name and the body as bio.</summary>
    public static (string Slug, AuthorProfile Profile)? ReadAuthorRecord(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var document = FrontMatter.Parse(text, allowJson: true);
        var fileName = Path.GetFileNameWithoutExtension(path);
        // Hugo keeps a term's page as authors/<slug>/_index.md.
        var slug = document.Scalar("short_name", "slug", "key", "username", "id")
            ?? (fileName is "_index" or "index" ? Path.GetFileName(Path.GetDirectoryName(path)!) : fileName);
        var name = document.Scalar("name", "display_name", "full_name", "title");
        if (name is null)
        {
            return null;
        }

        var bio = document.Scalar("bio", "description", "about") ?? (Markdig.Markdown.ToPlainText(document.Body) is { Length: > 0 } plain ? plain : null);
        return (slug, new AuthorProfile(TextNormalizer.Line(name), bio is null ? null : TextNormalizer.Line(bio)));
    }

    private static void AddAuthors(Dictionary<string, AuthorProfile> authors, object? data, string? slug)
    {
        switch (data)
        {
            // One author per file (Hugo data/authors/jdoe.yml).
            case IReadOnlyDictionary<string, object?> single when slug is not null:
                if (Profile(single, slug) is { } profile)
                {
                    authors.TryAdd(slug, profile);
                }

                break;
            // A map of slug → record (Jekyll _data/authors.yml) or slug → name.
            case IReadOnlyDictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    var found = value is IReadOnlyDictionary<string, object?> r ? Profile(r, key) : FrontMatter.AsScalar(value) is { Length: > 0 } n ? new AuthorProfile(TextNormalizer.Line(n), null) : null;
                    if (found is not null)
                    {
                        authors.TryAdd(key, found);
                    }
                }

                break;
            // A list of records, each with its own key.
            case IReadOnlyList<object?> list:
                foreach (var item in list.OfType<IReadOnlyDictionary<string, object?>>())
                {
                    var key = FrontMatter.AsScalar(Get(item, "id") ?? Get(item, "slug") ?? Get(item, "key") ?? Get(item, "short_name") ?? Get(item, "username") ?? Get(item, "name"));
                    if (key is { Length: > 0 } && Profile(item, key) is { } listed)
                    {
                        authors.TryAdd(key, listed);
                    }
                }

                break;
        }
    }

    private static AuthorProfile? Profile(IReadOnlyDictionary<string, object?> record, string fallbackName)
    {
        var name = FrontMatter.AsScalar(Get(record, "name") ?? Get(record, "display_name") ?? Get(record, "full_name") ?? Get(record, "title")) ?? fallbackName;
        var bio = FrontMatter.AsScalar(Get(record, "bio") ?? Get(record, "description") ?? Get(record, "about"));
        return name.Length == 0 ? null : new AuthorProfile(TextNormalizer.Line(name), bio is null ? null : TextNormalizer.Line(bio));
    }

    private static object? Get(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value : map.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}
