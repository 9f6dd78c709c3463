using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Api;

/// <summary>
/// Recognises API keys by their SHA-256 hash (keys are never stored in clear) and says who a client is:
/// the key's name, or its IP address when it sent no valid key.
/// </summary>
public sealed class ApiKeys
{
    public const string HeaderName = "X-Api-Key";

    private readonly List<(string Name, byte[] Hash)> _keys;

    public ApiKeys(IOptions<ApiOptions> options)
    {
        _keys = [];
        foreach (var key in options.Value.Keys)
        {
            if (string.IsNullOrWhiteSpace(key.Sha256) || key.Sha256.Trim().Length != 64 || !key.Sha256.Trim().All(Uri.IsHexDigit))
            {
                throw new ClippingsException($"Clippings:Api:Keys entry '{key.Name}' has no valid Sha256 (64 hex digits). Make one with: clippings api-key");
            }

            _keys.Add((string.IsNullOrWhiteSpace(key.Name) ? "key-" + key.Sha256.Trim()[..8] : key.Name, Convert.FromHexString(key.Sha256.Trim())));
        }
    }

    /// <summary>True when at least one key is configured (then every editor request needs one).</summary>
    public bool Required => _keys.Count > 0;

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes, as configured in <c>Clippings:Api:Keys:n:Sha256</c>.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (32 bytes, URL-safe base64).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The name of the key the request carries, or null when it carries none or an unknown one.</summary>
    public string? Identify(HttpRequest request)
    {
        var presented = request.Headers[HeaderName].ToString();
        if (presented.Length == 0 || _keys.Count == 0)
        {
            return null;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        foreach (var (name, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>A caller on this machine, by the server's one forwarded-headers policy (<see cref="Hosting.ClientAddress"/>).</summary>
    public static bool IsLocal(HttpContext context) => Hosting.ClientAddress.IsLoopback(context);

    /// <summary>The rate-limit partition: the key's name when valid, else the remote address.</summary>
    public string ClientId(HttpContext context) =>
        Identify(context.Request) is { } name ? "key:" + name : "ip:" + Hosting.ClientAddress.Key(context);
}
