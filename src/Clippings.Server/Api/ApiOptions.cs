namespace Clippings.Server.Api;

/// <summary>Bound from <c>Clippings:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Clippings:Api";

    /// <summary>
    /// API keys of the editors' endpoints, stored as SHA-256 hashes (<c>clippings api-key</c> makes one).
    /// With none configured the endpoints answer loopback clients only.
    /// </summary>
    public List<ApiKeyOptions> Keys { get; set; } = [];

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Largest request body the API accepts (413 above it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Most results <c>/api/search</c> returns.</summary>
    public int MaxSearchResults { get; set; } = 50;
}

public sealed class ApiKeyOptions
{
    /// <summary>Who the key belongs to: logged with each request and used as its rate-limit partition.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    public string Sha256 { get; set; } = "";
}

public sealed class RateLimitOptions
{
    /// <summary>Requests per minute per client (API key, else IP address); 0 disables rate limiting.</summary>
    public int PermitsPerMinute { get; set; } = 60;
}
