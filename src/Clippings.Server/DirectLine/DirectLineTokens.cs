using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Clippings.Server.DirectLine;

/// <summary>What a verified token grants: one conversation (and the user it was issued for), until it expires.</summary>
public sealed record DirectLineToken(string ConversationId, string? UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// The key tokens are signed with: random per process when conversations live in memory (a restart ends both), or
/// shared through Redis so every instance accepts every instance's tokens.
/// </summary>
public sealed class DirectLineSigningKey
{
    public DirectLineSigningKey(byte[] key)
    {
        Key = key.Length >= 32 ? key : throw new ArgumentException("A token signing key has at least 32 bytes.", nameof(key));
    }

    public byte[] Key { get; }

    public static DirectLineSigningKey Random() => new(RandomNumberGenerator.GetBytes(32));
}

/// <summary>Issues and checks Direct Line tokens: HMAC-SHA256-signed, short-lived and bound to one conversation.</summary>
public sealed class DirectLineTokens
{
    private const string Version = "dl1";
    private readonly byte[] _key;
    private readonly DirectLineOptions _options;
    private readonly TimeProvider _time;

    public DirectLineTokens(IOptions<DirectLineOptions> options, TimeProvider time, DirectLineSigningKey signingKey)
    {
        _options = options.Value;
        _time = time;
        _key = signingKey.Key;
    }

    public TimeSpan Lifetime => _options.TokenLifetime;

    public static string NewConversationId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public string Issue(string conversationId, string? userId)
    {
        var expires = _time.GetUtcNow().Add(_options.TokenLifetime).ToUnixTimeSeconds();
        var payload = string.Join('\n', Version, conversationId, userId ?? "", expires.ToString(CultureInfo.InvariantCulture));
        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url.EncodeToString(payloadBytes) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payloadBytes));
    }

    /// <summary>Checks the signature and expiry. Expired tokens still verify, so callers can answer "expired" (403) rather than "invalid".</summary>
    public bool TryRead(string token, out DirectLineToken? read)
    {
        read = null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || token.Length > 1024)
        {
            return false;
        }

        byte[] payloadBytes, signature;
        try
        {
            payloadBytes = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payloadBytes), signature))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(payloadBytes).Split('\n');
        if (parts.Length != 4 || parts[0] != Version || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return false;
        }

        read = new DirectLineToken(parts[1], parts[2].Length == 0 ? null : parts[2], DateTimeOffset.FromUnixTimeSeconds(expires));
        return true;
    }

    public bool IsExpired(DirectLineToken token) => token.ExpiresAt <= _time.GetUtcNow();

    /// <summary>Constant-time comparison with the configured secret (false when none is configured).</summary>
    public bool IsSecret(string credential)
    {
        if (string.IsNullOrEmpty(_options.Secret))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(credential)),
            SHA256.HashData(Encoding.UTF8.GetBytes(_options.Secret)));
    }

    public bool HasSecret => !string.IsNullOrEmpty(_options.Secret);
}
