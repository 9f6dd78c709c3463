using System.Xml;
using System.Xml.Linq;

namespace Clippings.Ingestion.Web;

/// <summary>One listed address (a sitemap entry, a feed item, a WordPress post) with its <c>lastmod</c> as written and, for a post, its id.</summary>
public sealed record ListedUrl(Uri Url, string? LastModified, string? Reference = null);

/// <summary>A sitemap (<c>urlset</c>) or a sitemap index (<c>sitemapindex</c>), per sitemaps.org 0.9; namespaces are not insisted on.</summary>
public sealed record SitemapDocument(bool IsIndex, IReadOnlyList<ListedUrl> Entries)
{
    public static SitemapDocument Parse(string xml, Uri location)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new ArchiveFormatException($"the sitemap is not well-formed XML (line {ex.LineNumber}: {ex.Message.TrimEnd('.')})", ex);
        }

        var root = document.Root ?? throw new ArchiveFormatException("the sitemap is empty");
        var isIndex = root.Name.LocalName == "sitemapindex";
        if (!isIndex && root.Name.LocalName != "urlset")
        {
            throw new ArchiveFormatException($"not a sitemap: its root element is <{root.Name.LocalName}>, not <urlset> or <sitemapindex>");
        }

        var entries = new List<ListedUrl>();
        foreach (var entry in root.Elements().Where(e => e.Name.LocalName is "url" or "sitemap"))
        {
            var loc = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "loc")?.Value.Trim();
            // Relative locations are not allowed by the protocol but occur; they resolve against the sitemap's own URL.
            if (string.IsNullOrEmpty(loc) || !Uri.TryCreate(location, loc, out var url) || url.Scheme is not ("http" or "https"))
            {
                continue;
            }

            var lastmod = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "lastmod")?.Value.Trim();
            entries.Add(new ListedUrl(url, string.IsNullOrEmpty(lastmod) ? null : lastmod));
        }

        return new SitemapDocument(isIndex, entries);
    }
}
