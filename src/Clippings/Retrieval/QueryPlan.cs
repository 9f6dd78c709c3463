using System.Globalization;
using Clippings.Archive;
using Clippings.Storage;

namespace Clippings.Retrieval;

/// <summary>What the question asks for, beyond its words.</summary>
public enum QuestionIntent
{
    /// <summary>A fact, an argument, an explanation: answered from passages.</summary>
    Passages,
    /// <summary>Who an author is / what they wrote here.</summary>
    AuthorProfile,
    /// <summary>"What have we said about X", "have we written about X before": a dated list of pieces.</summary>
    Coverage,
    /// <summary>"Which papers appeared in 1788", "list Lamb's essays": a listing by metadata.</summary>
    ArticleList,
    /// <summary>"Who writes for this publication?", "who are the columnists": the archive's authors.</summary>
    AuthorList,
}

/// <summary>"The first…", "the latest…": the pieces wanted in date order rather than by relevance alone.</summary>
public enum DateOrder { None, OldestFirst, NewestFirst }

/// <summary>What part a person named in the question plays: wrote the pieces asked for, is mentioned in them, or is left out.</summary>
public enum AuthorRoleKind { Wrote, Mentioned, Excluded }

public sealed record AuthorRole(string Name, AuthorRoleKind Role);

/// <summary>
/// The dates a question names, as one inclusive range, at the finest precision the reader used ("27 October 1787" is a day,
/// "December 1787" a month, "the 1750s" and "since 2020" years), with the words that named them.
/// </summary>
public sealed record DateScope(DateOnly? From, DateOnly? To, DatePrecision Precision, IReadOnlyList<string> Phrases)
{
    /// <summary>"from 2017", "from March 2020 to June 2021", "before 1712": for telling the reader what was searched.</summary>
    public static string Describe(DateOnly? from, DateOnly? to)
    {
        static string D(DateOnly d) => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        if (from is { } f && to is { } t)
        {
            if (f.Month == 1 && f.Day == 1 && t.Month == 12 && t.Day == 31)
            {
                return f.Year == t.Year ? $"from {f.Year}" : $"from {f.Year} to {t.Year}";
            }

            return $"from {D(f)} to {D(t)}";
        }

        return from is { } a ? $"after {D(a.AddDays(-1))}" : to is { } b ? $"before {D(b.AddDays(1))}" : "";
    }
}

/// <summary>
/// A range bounded by pieces, not dates: the range starts after the piece <paramref name="After"/> names and ends before the
/// one <paramref name="Before"/> names (either may be open).
/// </summary>
public sealed record EventRange(string? After, string? Before);

/// <summary>
/// The question after query understanding: the text to search, the filters and boosts recognised in it
/// (authors, dates, publication/series, article scope) and the intent that picks the answer form.
/// </summary>
public sealed record QueryPlan
{
    public required string Question { get; init; }

    /// <summary>The question as searched: follow-ups resolved, scope words removed where they only filter.</summary>
    public required string SearchText { get; init; }

    public QuestionIntent Intent { get; init; } = QuestionIntent.Passages;

    /// <summary>Hard filters (dates, article scope, explicit filters from the caller).</summary>
    public SearchFilter Filter { get; init; } = SearchFilter.None;

    /// <summary>Authors named in the question (canonical names known to the archive).</summary>
    public IReadOnlyList<string> Authors { get; init; } = [];

    /// <summary>Sections or publications named in the question.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>The topic left once the scope words are taken out ("what have we said about <i>X</i>").</summary>
    public string? Topic { get; init; }

    /// <summary>Series numbers named ("No. 10", "Rambler 134"), matched against titles.</summary>
    public IReadOnlyList<int> SeriesNumbers { get; init; } = [];

    /// <summary>Articles the question names (by series number or quoted title), or the conversation's previous subject.</summary>
    public IReadOnlyList<string> NamedArticleIds { get; init; } = [];

    /// <summary>Articles to rank up without filtering to them (e.g. the previous turn's sources for a follow-up).</summary>
    public IReadOnlyList<string> BoostedArticleIds { get; init; } = [];

    /// <summary>The question names an article the archive does not hold ("Spectator No. 1"): described here for the refusal.</summary>
    public string? MissingArticle { get; init; }

    /// <summary>"jointly", "together": every named author must be an author of the piece.</summary>
    public bool RequireAllAuthors { get; init; }

    /// <summary>The question asks who wrote, when, or where a piece appeared: lead with its metadata.</summary>
    public bool AsksForMetadata { get; init; }

    /// <summary>True when the date filter came from the question (and may be relaxed if it finds nothing).</summary>
    public bool HasDateScope { get; init; }

    /// <summary>First/earliest or latest/most recent: listings and close matches are ordered by date.</summary>
    public DateOrder Order { get; init; }

    /// <summary>
    /// The question rests on something the archive does not have (a date outside its span, a column nobody writes):
    /// the refusal says this plainly instead of answering around it.
    /// </summary>
    public string? PremiseProblem { get; init; }

    /// <summary>What understanding did that the reader should be told: a name read past a typo, a filter relaxed.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>"Pieces that mention X": the name searched for in the text (not an author filter).</summary>
    public string? MentionedName { get; init; }

    /// <summary>The words the question used for the authors it names (typos included), which are names, not topic words.</summary>
    public IReadOnlyList<string> TypedNames { get; init; } = [];

    /// <summary>"…apart from X's own": pieces by these authors are left out.</summary>
    public IReadOnlyList<string> ExcludedAuthors { get; init; } = [];

    /// <summary>The conversation is scoped to this article (opened from an article page) and the question did not widen it.</summary>
    public string? ScopedArticleId { get; init; }

    /// <summary>Everyone the question names, with the part they play; <see cref="Authors"/> are those with <see cref="AuthorRoleKind.Wrote"/>.</summary>
    public IReadOnlyList<AuthorRole> AuthorRoles { get; init; } = [];

    /// <summary>The dates the question named, if any (the filter may also carry dates from the caller).</summary>
    public DateScope? Dates { get; init; }

    /// <summary>
    /// The dates belong to one clause of a two-clause question ("what happened to the libraries in 2019 and when did their
    /// hours come back?"): pieces in range are favoured, not the only ones searched, since the other clause asks about another time.
    /// </summary>
    public bool DatesFavourOnly { get; init; }

    /// <summary>A listing bounded by pieces the question names; the retriever dates them.</summary>
    public EventRange? Events { get; init; }

    /// <summary>The words right after the order word ("the latest <i>go release post</i>"): what the order is about.</summary>
    public string? OrderSubject { get; init; }

    /// <summary>Every phrase the question puts in quotes.</summary>
    public IReadOnlyList<string> QuotedPhrases { get; init; } = [];

    /// <summary>The phrase after "about", "regarding", "concerning".</summary>
    public string? AboutPhrase { get; init; }

    /// <summary>Two or more separate subjects of one question, each searched on its own; empty when the question has one.</summary>
    public IReadOnlyList<string> Parts { get; init; } = [];
}
