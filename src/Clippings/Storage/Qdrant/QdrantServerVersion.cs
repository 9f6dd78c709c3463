using System.Globalization;

namespace Clippings.Storage.Qdrant;

/// <summary>
/// The Qdrant server's version (from its health check, read once per index) and what it can do. Requests are built for
/// the oldest supported version unless a newer feature is known to be there: a server drops a request field it does not
/// know, so sending one to an older server fails or, worse, silently changes the meaning.
/// </summary>
internal sealed record QdrantServerVersion(Version Version)
{
    /// <summary>The oldest server the requests were checked against (protos, conversions, validation of v1.12.6).</summary>
    public static readonly Version Oldest = new(1, 12, 0);

    /// <summary>The newest server checked; newer ones are used like it.</summary>
    public static readonly Version NewestChecked = new(1, 19, 0);

    /// <summary><c>Query.rrf</c> with its own <c>k</c> (field 10): older servers drop it and refuse the query as "variant missing".</summary>
    public bool ParameterisedRrf => Version >= new Version(1, 15, 4);

    /// <summary><c>UpsertPoints.update_filter</c>: an existing point is overwritten only when it matches the filter.</summary>
    public bool ConditionalUpsert => Version >= new Version(1, 15, 5);

    public bool Supported => Version >= Oldest;

    /// <summary>"1.15.4", "v1.16.0-dev", "1.17.0+abc": the leading major.minor.patch; null when there is none.</summary>
    public static QdrantServerVersion? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim().TrimStart('v', 'V');
        var parts = new List<int>(3);
        foreach (var part in trimmed.Split('.', 3))
        {
            var digits = new string(part.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                break;
            }

            parts.Add(number);
            if (digits.Length != part.Length)
            {
                break;
            }
        }

        return parts.Count < 2 ? null : new QdrantServerVersion(new Version(parts[0], parts[1], parts.Count > 2 ? parts[2] : 0));
    }

    public override string ToString() => Version.ToString(3);
}
