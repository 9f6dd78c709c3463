using Clippings.Storage;

namespace Clippings.Retrieval.Understanding;

/// <summary>A stretch of the question a recogniser took as its own, so later recognisers read it as taken.</summary>
public sealed record ClaimedSpan(int Start, int End, string By);

/// <summary>One step of query understanding: reads the draft, including what earlier steps found, and adds what it finds.</summary>
public interface IQuestionRecogniser
{
    void Recognise(QuestionDraft draft);
}

/// <summary>
/// The question as understood so far. Recognisers run over it in a fixed order: each claims the spans it read and records
/// what it found, so a later one builds on the earlier ones' findings instead of parsing the question again.
/// </summary>
public sealed class QuestionDraft
{
    private readonly List<ClaimedSpan> _claims = [];
    private readonly List<AuthorRole> _roles = [];

    public QuestionDraft(string question, ArchiveCatalog catalog, SearchFilter? callerFilter = null, string? scopedArticleId = null)
    {
        Question = question;
        Text = QuestionWords.Normalize(question);
        Catalog = catalog;
        CallerFilter = callerFilter ?? SearchFilter.None;
        ScopedArticleId = scopedArticleId;
    }

    public string Question { get; }

    /// <summary>The question with typographic quotes and spaces made plain: every span refers to this text.</summary>
    public string Text { get; }

    public ArchiveCatalog Catalog { get; }

    public SearchFilter CallerFilter { get; }

    /// <summary>The article the conversation was opened from, if any.</summary>
    public string? ScopedArticleId { get; }

    public IReadOnlyList<ClaimedSpan> Claims => _claims;

    public void Claim(int start, int end, string by) => _claims.Add(new ClaimedSpan(start, end, by));

    public bool IsClaimed(int start, int end) => _claims.Any(c => start < c.End && end > c.Start);

    public DateScope? Dates { get; set; }

    /// <summary>A range bounded by pieces the question names ("between the Go 1.16 and Go 1.17 release announcements").</summary>
    public EventRange? Events { get; set; }

    /// <summary>Author names found in the text (typos included), before roles are decided.</summary>
    public IReadOnlyList<NameMatch> Names { get; set; } = [];

    /// <summary>Who the question names and in what part: wrote it, is mentioned in it, is left out.</summary>
    public IReadOnlyList<AuthorRole> Roles => _roles;

    public void SetRole(string author, AuthorRoleKind role)
    {
        _roles.RemoveAll(r => string.Equals(r.Name, author, StringComparison.OrdinalIgnoreCase));
        _roles.Add(new AuthorRole(author, role));
    }

    /// <summary>The authors whose pieces are asked for (the byline filter).</summary>
    public IReadOnlyList<string> Writers => _roles.Where(r => r.Role == AuthorRoleKind.Wrote).Select(r => r.Name).ToList();

    /// <summary>"Pieces that mention X": the name searched for in the text.</summary>
    public string? MentionedName { get; set; }

    /// <summary>The author was found from the question's description ("who writes the food column"), not from a name.</summary>
    public bool AuthorFromDescription { get; set; }

    public DateOrder Order { get; set; }

    /// <summary>The words right after the order word ("latest <i>go release post</i>"): what is to be ordered.</summary>
    public string? OrderSubject { get; set; }

    public IReadOnlyList<string> Sections { get; set; } = [];

    public IReadOnlyList<int> SeriesNumbers { get; set; } = [];

    public IReadOnlyList<string> NamedArticleIds { get; set; } = [];

    public string? MissingArticle { get; set; }

    /// <summary>Every phrase the question puts in quotes, whether or not it is a title of the archive.</summary>
    public IReadOnlyList<string> QuotedPhrases { get; set; } = [];

    /// <summary>The phrase after "about", "regarding", "concerning": what the question is about.</summary>
    public string? AboutPhrase { get; set; }

    public QuestionIntent Intent { get; set; } = QuestionIntent.Passages;

    public string? Topic { get; set; }

    public bool AsksForMetadata { get; set; }

    public bool RequireAllAuthors { get; set; }

    /// <summary>Separate subjects of one question ("the eel grass survey and the oyster beds"), each retrieved on its own.</summary>
    public IReadOnlyList<string> Parts { get; set; } = [];

    /// <summary>Where a second clause asking *when* begins ("…in 2019 and when did…"), if there is one.</summary>
    public int? SecondClauseAt { get; set; }

    /// <summary>The scoped article, kept when the question does not widen beyond it.</summary>
    public string? KeptScope { get; set; }

    /// <summary>The first premise problem found is the one the reader is told.</summary>
    public string? Premise { get; private set; }

    public void AddPremise(string? problem) => Premise ??= problem;

    public List<string> Notes { get; } = [];
}
