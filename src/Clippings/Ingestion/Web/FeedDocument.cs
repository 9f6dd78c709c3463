using System.Globalization;
using System.ServiceModel.Syndication;
using System.Xml;

namespace Clippings.Ingestion.Web;

/// <summary>An RSS 2.0 or Atom 1.0 feed's items as page links, each with its updated (else published) time.</summary>
public static class FeedDocument
{
    public static IReadOnlyList<ListedUrl> Parse(string xml, Uri location)
    {
        SyndicationFeed feed;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            feed = SyndicationFeed.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new ArchiveFormatException($"the feed is not well-formed XML (line {ex.LineNumber}: {ex.Message.TrimEnd('.')})", ex);
        }

        var items = new List<ListedUrl>();
        foreach (var item in feed.Items)
        {
            // A relative link (Atom allows them) resolves against the feed's own address; an RSS guid that is a URL serves when there is no link.
            var alternate = item.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate");
            var link = alternate?.GetAbsoluteUri() ?? alternate?.Uri
                ?? (Uri.TryCreate(item.Id, UriKind.Absolute, out var id) ? id : null);
            if (link is null || !Uri.TryCreate(location, link.ToString(), out var url) || url.Scheme is not ("http" or "https"))
            {
                continue;
            }

            var changed = item.LastUpdatedTime != default ? item.LastUpdatedTime : item.PublishDate;
            items.Add(new ListedUrl(url, changed == default ? null : changed.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)));
        }

        return items;
    }
}
