using AngleSharp.Dom;

namespace Clippings.Ingestion.Html;

/// <summary>
/// A page's meta tags by key, read once. Keys compare with ':' and '.' alike and "dcterms" as "dcterm" ("dc:title",
/// "DC.title"); a property attribute may list several keys separated by spaces ("dc:title og:title"), as RDFa allows;
/// where a key is given both as an RDFa property and as a name, the property's values come first and alone, being the
/// publisher's structured claim.
/// </summary>
internal sealed class MetaTags
{
    private readonly Dictionary<string, List<string>> _byProperty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byName = new(StringComparer.Ordinal);

    public MetaTags(IDocument document)
    {
        foreach (var meta in document.QuerySelectorAll("meta[content]"))
        {
            var content = TextNormalizer.Line(meta.GetAttribute("content"));
            if (content.Length == 0)
            {
                continue;
            }

            Add(_byProperty, meta.GetAttribute("property"), content);
            Add(_byName, meta.GetAttribute("name"), content);
            if (meta.Closest("[itemscope]") is null)
            {
                Add(_byName, meta.GetAttribute("itemprop"), content);
            }
        }
    }

    public string? First(string key) => All(key).FirstOrDefault();

    public IReadOnlyList<string> All(string key)
    {
        var normalized = Key(key);
        return _byProperty.TryGetValue(normalized, out var values) ? values : _byName.TryGetValue(normalized, out values) ? values : [];
    }

    private static void Add(Dictionary<string, List<string>> map, string? keys, string content)
    {
        if (string.IsNullOrWhiteSpace(keys))
        {
            return;
        }

        foreach (var key in keys.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var normalized = Key(key);
            if (!map.TryGetValue(normalized, out var values))
            {
                map[normalized] = values = [];
            }

            values.Add(content);
        }
    }

    private static string Key(string key) => key.Trim().ToLowerInvariant().Replace(':', '.').Replace("dcterms.", "dcterm.", StringComparison.Ordinal);
}
