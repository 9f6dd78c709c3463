using System.Globalization;
using System.Text.RegularExpressions;

namespace Clippings.Ingestion.Html;

/// <summary>
/// Turns a printed byline into person names: no "By" / "von" / "Par" lead-ins, dates, times, handles, e-mail
/// addresses, URLs or job titles, and several people split ("A, B and C", "A & B", "A und B").
/// </summary>
internal static partial class Bylines
{
    /// <summary>Words that, after a comma or a dash, describe a role rather than name a person.</summary>
    private static readonly HashSet<string> RoleWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "reporter", "writer", "editor", "correspondent", "contributor", "columnist", "staff", "senior", "chief", "deputy", "associate",
        "special", "political", "foreign", "science", "technology", "tech", "business", "health", "sports", "news", "managing", "executive",
        "freelance", "guest", "photographer", "producer", "analyst", "critic", "journalist", "author", "host", "anchor", "intern", "director",
        "founder", "ceo", "cto", "professor", "researcher", "fellow", "redakteur", "redakteurin", "autor", "autorin", "journaliste", "rédacteur",
        "updated", "published", "posted", "last", "read", "min", "minutes", "comments", "share", "follow", "twitter", "email", "bio",
        "wire", "services", "service", "agency", "press", "team", "desk", "contributing", "national", "international", "global", "bureau",
    };

    public static List<string> Names(string? byline)
    {
        var names = new List<string>();
        if (string.IsNullOrWhiteSpace(byline))
        {
            return names;
        }

        var text = TextNormalizer.Line(byline);
        text = Parenthesised().Replace(text, " ");
        text = Url().Replace(text, " ");
        text = Email().Replace(text, " ");
        text = Handle().Replace(text, " ");
        text = DateText().Replace(text, " | ");
        text = TimeText().Replace(text, " | ");
        // Everything after a separator that starts a dateline or a role ("Jane Doe | Staff writer", "Jane Doe — Updated …").
        foreach (var part in Separators().Split(text))
        {
            var segment = ParticleLeadIn().Replace(LeadIn().Replace(part.Trim(), "").Trim(), "");
            if (segment.Length == 0)
            {
                continue;
            }

            // "Jong, Michiel de": one person written surname first, not two people.
            if (SurnameFirst().Match(segment) is { Success: true } inverted)
            {
                segment = inverted.Groups[2].Value + " " + inverted.Groups[1].Value;
            }

            foreach (var piece in Joiners().Split(segment))
            {
                var name = Clean(piece);
                if (name is not null && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    names.Add(name);
                }
            }

            if (names.Count > 0)
            {
                // The first segment holding names is the byline; the rest is its dateline or role.
                break;
            }
        }

        return names;
    }

    /// <summary>A name from a profile URL's last path segment ("/people/jane-doe" → "Jane Doe"): the last resort.</summary>
    public static string? NameFromProfileUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var slug = uri.AbsolutePath.TrimEnd('/').Split('/')[^1];
        slug = Uri.UnescapeDataString(slug);
        var words = slug.Split(['-', '_', '.', '+'], StringSplitOptions.RemoveEmptyEntries).Where(w => !w.All(char.IsDigit)).ToList();
        if (words.Count is < 2 or > 4 || words.Any(w => !w.All(char.IsLetter)))
        {
            return null;
        }

        return string.Join(' ', words.Select(w => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(w.ToLowerInvariant())));
    }

    public static bool LooksLikeUrl(string text) => text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("//", StringComparison.Ordinal);

    private static string? Clean(string piece)
    {
        var name = piece.Trim(' ', ',', ';', ':', '|', '-', '–', '—', '·', '•', '/', '.', '*');
        name = LeadIn().Replace(name, "").Trim();
        if (name.Length is < 3 or > 60 || name.Any(char.IsDigit))
        {
            return null;
        }

        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 6 || words.All(w => RoleWords.Contains(w.Trim('.', ','))))
        {
            return null;
        }

        // A run of words with no capital letter at all is prose ("and contributors", "staff"), not a name;
        // scripts without letter case (CJK, Arabic…) pass as they are.
        if (!name.Any(char.IsUpper) && name.Any(c => char.IsLetter(c) && (char.IsLower(c) || char.IsUpper(c))) && name.Any(char.IsLower))
        {
            return null;
        }

        // "Jane Doe Staff Writer": drop trailing role words.
        while (words.Length > 1 && RoleWords.Contains(words[^1].Trim('.', ',')))
        {
            words = words[..^1];
        }

        return string.Join(' ', words);
    }

    [GeneratedRegex(@"^(?:(?:written|posted|published|words|story|text|reporting|photos?|report|article|updated|veröffentlicht|geschrieben|publié|publicado|escrito|pubblicato|scritto)\s+)?(?:by|von|par|por|door|przez|от)\s+|^(?:written|posted|published|veröffentlicht|publié|publicado)\s*:?\s*|^(?:autor(?:in)?|author|auteur|autore|texto|text)\s*:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex LeadIn();

    // Lead-ins that are also name particles ("di Mario Rossi" but "Di Maio"): lower case only.
    [GeneratedRegex(@"^(?:di|de|da|av|af|z)\s+(?=\p{Lu})")]
    private static partial Regex ParticleLeadIn();

    [GeneratedRegex(@"\s*(?:\||•|·|—|–|\s-\s|\n|;|\bupdated\b|\bpublished\b|\b(?:edited|photos?|photographs|illustrations?|graphics|video|additional reporting)\s+by\b|\bon\b(?=\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)))\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Separators();

    [GeneratedRegex(@"\s*(?:,\s*(?:and|und|et|y|e|en|och|og)\s+|,|&|\+|\s(?:and|und|et|y|e|en|och|og|i|и)\s)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Joiners();

    [GeneratedRegex(@"^(\p{Lu}[\p{L}'’-]+),\s+(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Ll}{1,3})?(?:\s+\p{Lu}[\p{L}.'’-]*)?)$")]
    private static partial Regex SurnameFirst();

    [GeneratedRegex(@"https?://\S+|www\.\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\S+@\S+\.\S+")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<!\w)@\w+")]
    private static partial Regex Handle();

    [GeneratedRegex(@"\([^)]*\)|\[[^\]]*\]")]
    private static partial Regex Parenthesised();

    [GeneratedRegex(@"\b(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s*\d{0,4}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:\d{1,2}\.?\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|juni|juli|oktober|dezember)\.?\s+\d{4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateText();

    [GeneratedRegex(@"\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)?\b(?:\s*[A-Z]{2,4}\b)?|\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?)\s*(?:ago|read)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeText();
}
