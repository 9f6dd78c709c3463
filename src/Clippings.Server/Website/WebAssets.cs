using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Clippings.Server.Website;

/// <summary>
/// The website's static files (Web Chat's bundle from npm, embed.js, styles), embedded in this assembly at build time
/// so every host serves them with no files beside it and nothing is fetched from a CDN at run time.
/// </summary>
public sealed class WebAssets
{
    private const string Prefix = "web/";
    private readonly ConcurrentDictionary<string, Asset?> _assets = new(StringComparer.Ordinal);

    private sealed record Asset(byte[] Content, byte[] Gzipped, string ContentType, string ETag);

    public bool Exists(string name) => Load(name) is not null;

    public IResult Serve(HttpContext http, string name, TimeSpan maxAge)
    {
        var asset = Load(name);
        if (asset is null)
        {
            return Results.NotFound();
        }

        var response = http.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = $"public, max-age={(int)maxAge.TotalSeconds}";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.XContentTypeOptions = "nosniff";
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var gzip = http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        return Results.Bytes(gzip ? asset.Gzipped : asset.Content, asset.ContentType);
    }

    private Asset? Load(string name) => _assets.GetOrAdd(name, static key =>
    {
        if (key.Contains("..", StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream(Prefix + key);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"";
        return new Asset(content, gzipped.ToArray(), ContentTypeOf(key), etag);
    });

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
