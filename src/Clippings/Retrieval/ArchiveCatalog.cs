using System.Globalization;
using System.Text.RegularExpressions;
using Clippings.Archive;
using Clippings.Text;

namespace Clippings.Retrieval;

/// <summary>
/// What query understanding knows about the archive without reading its text: author names (and the
/// short forms people use for them), sections, publications, titles and series numbers.
/// Built from the index's metadata; rebuilt when the index changes.
/// </summary>
public sealed partial class ArchiveCatalog
{
    private readonly Dictionary<string, ArticleSummary> _byId;
    private readonly Dictionary<string, ArticleSummary> _byUrl;

    /// <summary>
    /// The catalog of archive files read straight from their sources with the archive readers, no index and no embedding
    /// (cheap): for measuring query understanding on an archive without ingesting it.
    /// </summary>
    public static async Task<ArchiveCatalog> ReadFromSourcesAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var loader = new Ingestion.ArchiveLoader();
        var articles = new Dictionary<string, Article>(StringComparer.OrdinalIgnoreCase);
        var bios = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Ingestion.ArchiveLoader.EnumerateFiles(paths))
        {
            var result = await loader.ReadFileAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var article in result.Articles)
            {
                articles[article.Id] = article;
            }

            foreach (var author in result.Authors)
            {
                bios[author.Name] = author.Bio;
            }
        }

        var summaries = articles.Values.Select(a => a.ToSummary()).OrderByDescending(a => a.Published ?? DateOnly.MinValue).ToList();
        var authors = summaries.SelectMany(a => a.Authors).Concat(bios.Keys).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name =>
            {
                var theirs = summaries.Where(a => a.Authors.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
                return new AuthorSummary(name, bios.GetValueOrDefault(name), theirs.Count, theirs.Min(a => a.Published), theirs.Max(a => a.Published));
            }).ToList();
        return new ArchiveCatalog(summaries, authors);
    }

    public ArchiveCatalog(IReadOnlyList<ArticleSummary> articles, IReadOnlyList<AuthorSummary> authors)
    {
        Articles = articles;
        Authors = authors;
        _byId = articles.ToDictionary(a => a.Id, StringComparer.OrdinalIgnoreCase);
        _byUrl = new Dictionary<string, ArticleSummary>(StringComparer.OrdinalIgnoreCase);
        foreach (var article in articles.Where(a => !string.IsNullOrEmpty(a.Url)))
        {
            _byUrl.TryAdd(NormalizeUrl(article.Url!), article);
        }

        AuthorAliases = BuildAuthorAliases(authors.Select(a => a.Name).Concat(articles.SelectMany(a => a.Authors)).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
        SectionNames = articles.Select(a => a.Section).Concat(articles.Select(a => a.Publication))
            .Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        SeriesNumbers = articles
            .Select(a => (Article: a, Number: SeriesNumberOf(a.Title)))
            .Where(x => x.Number is not null)
            .ToLookup(x => x.Number!.Value, x => x.Article);
        NameTokens = AuthorAliases.Keys.Concat(SectionNames).Concat(articles.Select(a => a.Title))
            .SelectMany(LexicalAnalyzer.Tokenize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        BioTokens = authors.Where(a => !string.IsNullOrWhiteSpace(a.Bio)).SelectMany(a => LexicalAnalyzer.Tokenize(a.Bio!)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        TitleTerms = articles.ToDictionary(a => a.Id, a => (IReadOnlySet<string>)LexicalAnalyzer.Analyze(StripSeriesPrefix(a.Title)).ToHashSet(StringComparer.Ordinal), StringComparer.OrdinalIgnoreCase);
    }

    public static ArchiveCatalog Empty { get; } = new([], []);

    public IReadOnlyList<ArticleSummary> Articles { get; }
    public IReadOnlyList<AuthorSummary> Authors { get; }

    /// <summary>Alias (as typed in questions: "Madison", "James Madison", "Chesterton") → canonical author name.</summary>
    public IReadOnlyDictionary<string, string> AuthorAliases { get; }

    /// <summary>Every section and publication name.</summary>
    public IReadOnlyList<string> SectionNames { get; }

    /// <summary>Series number ("No. 10") → the articles carrying it in their title.</summary>
    public ILookup<int, ArticleSummary> SeriesNumbers { get; }

    /// <summary>Every word of an author, section, publication or title name: names the archive knows.</summary>
    public IReadOnlySet<string> NameTokens { get; }

    /// <summary>Every word of the authors' notes ("the food column"): words the archive uses about itself.</summary>
    public IReadOnlySet<string> BioTokens { get; }

    /// <summary>Article id → analyzed terms of its title (without the series prefix).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> TitleTerms { get; }

    /// <summary>The words of every title with their counts, for reading misspelt words; built once per catalog, on first use.</summary>
    public IReadOnlyDictionary<string, int> TitleVocabulary => _titleVocabulary ??= ContentWordSpelling.Vocabulary(Articles.Select(a => a.Title));

    private Dictionary<string, int>? _titleVocabulary;

    public ArticleSummary? FindById(string id) => _byId.GetValueOrDefault(id);

    public ArticleSummary? FindByUrl(string url) => _byUrl.GetValueOrDefault(NormalizeUrl(url));

    public AuthorSummary? FindAuthor(string name) =>
        Authors.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    internal static int? SeriesNumberOf(string title)
    {
        var match = SeriesNumberInTitle().Match(title);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    internal static string StripSeriesPrefix(string title)
    {
        var colon = title.IndexOf(':', StringComparison.Ordinal);
        return SeriesNumberInTitle().IsMatch(title) && colon > 0 ? title[(colon + 1)..] : title;
    }

    private static string NormalizeUrl(string url) => url.Trim().TrimEnd('/').Replace("http://", "https://", StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, string> BuildAuthorAliases(IReadOnlyList<string> names)
    {
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lastNameOwners = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            aliases[name] = name;
            var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1)
            {
                var last = parts[^1];
                if (!lastNameOwners.TryGetValue(last, out var owners))
                {
                    lastNameOwners[last] = owners = [];
                }

                owners.Add(name);
                // "G. K. Chesterton" is also typed "GK Chesterton" / "G.K. Chesterton".
                var compact = string.Join(' ', parts.Where(p => !p.EndsWith('.')).Prepend(string.Concat(parts.Where(p => p.EndsWith('.')).Select(p => p.TrimEnd('.')))).Where(p => p.Length > 0));
                if (!string.Equals(compact, name, StringComparison.OrdinalIgnoreCase))
                {
                    aliases.TryAdd(compact, name);
                }
            }
        }

        // A last name is an alias only when it belongs to one author.
        foreach (var (last, owners) in lastNameOwners)
        {
            if (owners.Count == 1 && last.Length > 2)
            {
                aliases.TryAdd(last, owners[0]);
            }
        }

        // Readers use first names of columnists ("does Tobias think…"): an alias when no other author shares it as a first or last name.
        var firstNameOwners = names.Where(n => !NameRecogniser.IsCollective(n))
            .Select(n => (Name: n, Parts: n.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(x => x.Parts.Length > 1 && x.Parts[0].Length >= 4 && !x.Parts[0].EndsWith('.'))
            .GroupBy(x => x.Parts[0], StringComparer.OrdinalIgnoreCase);
        foreach (var group in firstNameOwners)
        {
            if (group.Count() == 1 && !lastNameOwners.ContainsKey(group.Key))
            {
                aliases.TryAdd(group.Key, group.First().Name);
            }
        }

        return aliases;
    }

    [GeneratedRegex(@"\bNo\.\s*(\d{1,4})\b", RegexOptions.CultureInvariant)]
    private static partial Regex SeriesNumberInTitle();
}
