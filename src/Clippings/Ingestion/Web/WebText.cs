using System.IO.Compression;
using System.Text;

namespace Clippings.Ingestion.Web;

/// <summary>What a fetched body is, by its content (servers label sitemaps and feeds every which way).</summary>
public enum WebDocumentKind { Unknown, Html, Sitemap, Feed, Json }

/// <summary>Decoding fetched bodies: gzip (a .xml.gz sitemap arrives as raw gzip), the charset, and the kind of document.</summary>
public static class WebText
{
    /// <summary>Decompressed bodies larger than this are refused (the sitemap protocol allows 50 MB uncompressed).</summary>
    public const int MaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>The body as text: gunzipped when it is gzip, decoded by the Content-Type's charset or else as UTF-8.</summary>
    public static string Decode(byte[] body, string? contentType)
    {
        body = Gunzip(body);
        var encoding = Encoding.UTF8;
        var charset = contentType?.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))?["charset=".Length..].Trim('"', '\'');
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // An unknown charset name: UTF-8 is the web's default and the best guess.
            }
        }

        return encoding.GetString(body).TrimStart('\uFEFF');
    }

    /// <summary>The body itself, or its decompressed bytes when it starts with the gzip magic number.</summary>
    public static byte[] Gunzip(byte[] body)
    {
        if (body.Length < 2 || body[0] != 0x1f || body[1] != 0x8b)
        {
            return body;
        }

        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = input.Read(chunk)) > 0)
        {
            if (output.Length + read > MaxDecompressedBytes)
            {
                throw new ArchiveFormatException($"the gzip file unpacks to over {MaxDecompressedBytes / (1024 * 1024)} MB");
            }

            output.Write(chunk, 0, read);
        }

        return output.ToArray();
    }

    public static WebDocumentKind Sniff(string text)
    {
        var head = text.Length > 4096 ? text[..4096] : text;
        var start = head.TrimStart();
        if (start.StartsWith('{') || start.StartsWith('['))
        {
            return WebDocumentKind.Json;
        }

        if (head.Contains("<urlset", StringComparison.OrdinalIgnoreCase) || head.Contains("<sitemapindex", StringComparison.OrdinalIgnoreCase))
        {
            return WebDocumentKind.Sitemap;
        }

        if (head.Contains("<rss", StringComparison.OrdinalIgnoreCase) || head.Contains("<feed", StringComparison.OrdinalIgnoreCase) || head.Contains("<rdf:RDF", StringComparison.OrdinalIgnoreCase))
        {
            return WebDocumentKind.Feed;
        }

        return head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.Contains("<!doctype html", StringComparison.OrdinalIgnoreCase)
            ? WebDocumentKind.Html
            : WebDocumentKind.Unknown;
    }
}
