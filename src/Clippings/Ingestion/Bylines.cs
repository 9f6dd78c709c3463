using System.Globalization;
using System.Text.RegularExpressions;

namespace Clippings.Ingestion;

/// <summary>
/// Turns bylines as publishers write them into people's names, for every reader: no "By" / "von" / "Par" lead-ins,
/// dates, times, handles, e-mail addresses, URLs, affiliations in parentheses or job titles; several people split
/// ("A, B, and C", "A &amp; B", "A und B"), clauses after ";" read on their own ("A, July 2011; updated by B");
/// roles ("…, for the X team", "on behalf of …") and "and contributors" dropped; "Jong, Michiel de" read as one
/// person; team bylines ("The Go Team", "Editorial Board") kept whole.
/// </summary>
public static partial class Bylines
{
    /// <summary>Words that describe a role or a dateline rather than name a person.</summary>
    private static readonly HashSet<string> RoleWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "reporter", "writer", "editor", "correspondent", "contributor", "columnist", "staff", "senior", "chief", "deputy", "associate",
        "special", "political", "foreign", "science", "technology", "tech", "business", "health", "sports", "news", "managing", "executive",
        "freelance", "guest", "photographer", "producer", "analyst", "critic", "journalist", "author", "host", "anchor", "intern", "director",
        "founder", "ceo", "cto", "professor", "researcher", "fellow", "redakteur", "redakteurin", "autor", "autorin", "journaliste", "rédacteur",
        "updated", "published", "posted", "last", "read", "min", "minutes", "comments", "share", "follow", "twitter", "email", "bio",
        "wire", "services", "service", "agency", "contributing", "national", "international", "global", "bureau", "view", "profile", "more",
    };

    /// <summary>The people named by byline entries (a front-matter list, several meta tags), in order, without duplicates.</summary>
    public static IReadOnlyList<string> Split(IEnumerable<string> entries) =>
        entries.SelectMany(e => Names(e, printed: false)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The people named by one structured byline entry (front matter, JSON-LD, an export's author field).</summary>
    public static IReadOnlyList<string> Split(string entry) => Names(entry, printed: false);

    /// <summary>
    /// The people named by a byline. <paramref name="printed"/> is text from a page (held to look like names: capitalised,
    /// no digits); a structured field may be a handle such as "jdoe" and is kept when nothing better is known.
    /// </summary>
    public static List<string> Names(string? byline, bool printed = true)
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
        foreach (var rawClause in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var clause = RoleSuffix().Replace(rawClause, "");
            clause = Others().Replace(clause, "");
            clause = DateText().Replace(clause, " | ");
            clause = TimeText().Replace(clause, " | ");
            // A clause's first segment that names people is its byline; what follows a "|", a dash or a date is its dateline or role.
            foreach (var part in Separators().Split(clause))
            {
                var segment = ParticleLeadIn().Replace(LeadIn().Replace(part.Trim(' ', ',', ':'), "").Trim(), "").Trim(' ', ',', '.', ':');
                if (segment.Length == 0)
                {
                    continue;
                }

                var before = names.Count;
                if (IsTeam(segment))
                {
                    AddName(names, segment);
                }
                else
                {
                    // "Jong, Michiel de": one person written surname first, not two people.
                    if (SurnameFirst().Match(segment) is { Success: true } inverted && !NameSuffix().IsMatch(inverted.Groups[2].Value))
                    {
                        segment = inverted.Groups[2].Value + " " + inverted.Groups[1].Value;
                    }

                    foreach (var piece in Joiners().Split(segment))
                    {
                        var trimmed = piece.Trim(' ', ',', '.', ':');
                        // "Jr." and "PhD" belong to the name before them, not to a new person.
                        if (NameSuffix().IsMatch(trimmed) && names.Count > before)
                        {
                            names[^1] += ", " + trimmed.TrimEnd('.');
                            continue;
                        }

                        if (Clean(piece, printed) is { } name)
                        {
                            AddName(names, name);
                        }
                    }
                }

                if (names.Count > before)
                {
                    break;
                }
            }
        }

        return names;
    }

    /// <summary>A group byline ("The Go Team", "Editorial Board", "Data desk"): one author, never split.</summary>
    public static bool IsTeam(string name)
    {
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // "Olu Benson, Staff Writer" is a person and a role; a team is a plain phrase.
        return words.Length >= 2 && !name.Contains(',', StringComparison.Ordinal) && !words.All(w => RoleWords.Contains(w.Trim('.', ',')) || TeamWords().IsMatch(w))
            && (TeamWords().IsMatch(name) || name.StartsWith("The ", StringComparison.Ordinal));
    }

    /// <summary>A name from a profile URL's last path segment ("/people/jane-doe" → "Jane Doe"): the last resort.</summary>
    public static string? NameFromProfileUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var slug = Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        var words = slug.Split(['-', '_', '.', '+'], StringSplitOptions.RemoveEmptyEntries).Where(w => !w.All(char.IsDigit)).ToList();
        if (words.Count is < 2 or > 4 || words.Any(w => !w.All(char.IsLetter)))
        {
            return null;
        }

        return string.Join(' ', words.Select(w => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(w.ToLowerInvariant())));
    }

    public static bool LooksLikeUrl(string text) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("//", StringComparison.Ordinal);

    private static void AddName(List<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            names.Add(name);
        }
    }

    private static string? Clean(string piece, bool printed)
    {
        var name = piece.Trim(' ', ',', ';', ':', '|', '-', '–', '—', '·', '•', '/', '.', '*', '(', ')');
        name = LeadIn().Replace(name, "").Trim();
        if (name.Length < 2 || name.Length > 60 || name.Any(char.IsDigit) || !name.Any(char.IsLetter))
        {
            return null;
        }

        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 6 || words.All(w => RoleWords.Contains(w.Trim('.', ','))) || MonthOnly().IsMatch(name))
        {
            return null;
        }

        // Printed text with no capital letter at all is prose ("and others", "staff"), not a name; scripts without
        // letter case (CJK, Arabic…) pass as they are.
        if (printed && (name.Length < 3 || !name.Any(char.IsUpper) && name.Any(char.IsLower)))
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

    [GeneratedRegex(@"^(?:(?:written|posted|published|words|story|text|reporting|report|article|updated|edited|revised|translated|illustrated|reported|veröffentlicht|geschrieben|publié|publicado|escrito|pubblicato|scritto)\s+)?(?:by|von|par|por|door|przez|от)\s+|^(?:written|posted|published|veröffentlicht|publié|publicado)\s*:\s*|^(?:autor(?:in)?|author|auteur|autore|texto|text)\s*:\s*|^(?:about|über|à propos de|sobre)\s+(?:the\s+author\s*:?\s*)?", RegexOptions.IgnoreCase)]
    private static partial Regex LeadIn();

    // Lead-ins that are also name particles ("di Mario Rossi" but "Di Maio"): lower case only.
    [GeneratedRegex(@"^(?:di|de|da|av|af|z)\s+(?=\p{Lu})")]
    private static partial Regex ParticleLeadIn();

    [GeneratedRegex(@"\s*(?:\||•|·|—|–|\s-\s|\n|\bupdated\b|\bpublished\b|\b(?:edited|photos?|photographs|illustrations?|graphics|video|additional reporting)\s+by\b|\bon\b(?=\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)))\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Separators();

    [GeneratedRegex(@"\s*(?:,\s*(?:and|und|et|y|e|en|och|og)\s+|,|&|\+|\s(?:and|und|et|y|e|en|och|og|i|и)\s)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Joiners();

    // A role after a comma ("Russ Cox, for the Go team") or an explicit "on behalf of" anywhere.
    [GeneratedRegex(@"(?:,\s*(?:for|on behalf of|from|at|with|of)\s+.*$)|(?:\s+on behalf of\s+.*$)", RegexOptions.IgnoreCase)]
    private static partial Regex RoleSuffix();

    [GeneratedRegex(@"(?:,?\s*(?:and|&)\s+(?:many\s+)?(?:other\s+)?(?:contributors|others|friends|colleagues))\s*$|,?\s+et al\.?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Others();

    [GeneratedRegex(@"^(\p{Lu}[\p{L}'’-]+),\s+(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Ll}{1,3})?(?:\s+\p{Lu}[\p{L}.'’-]*)?)$")]
    private static partial Regex SurnameFirst();

    [GeneratedRegex(@"^(?:Jr|Sr|II|III|IV|PhD|Ph\.D|MD|M\.D|Esq)\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex NameSuffix();

    [GeneratedRegex(@"\b(?:team|group|staff|editors|editorial|board|committee|desk|leadership|working group|contributors|authors|community|collective|newsroom)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TeamWords();

    [GeneratedRegex(@"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex MonthOnly();

    [GeneratedRegex(@"https?://\S+|www\.\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\S+@\S+\.\S+")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<!\w)@\w+")]
    private static partial Regex Handle();

    [GeneratedRegex(@"\s*\([^)]*\)|\[[^\]]*\]")]
    private static partial Regex Parenthesised();

    [GeneratedRegex(@"\b(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre)\.?\s+\d{1,4}(?:st|nd|rd|th)?,?\s*\d{0,4}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateText();

    [GeneratedRegex(@"\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)?\b(?:\s*[A-Z]{2,4}\b)?|\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?)\s*(?:ago|read)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeText();
}
