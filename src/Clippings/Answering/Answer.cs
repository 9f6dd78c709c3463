using Clippings.Archive;

namespace Clippings.Answering;

/// <summary>
/// An answer with its sources. Each <c>[n]</c> marker in <see cref="Text"/> refers to <see cref="Citations"/>
/// entry n; a citation's <see cref="Citation.Quote"/> equals the stored article text between Start and End.
/// </summary>
public sealed record Answer
{
    public required string Text { get; init; }
    public bool Refused { get; init; }

    /// <summary>Why a refused answer was refused (what editors' insights group refusals by); None when answered.</summary>
    public RefusalReason RefusalReason { get; init; }
    public IReadOnlyList<Citation> Citations { get; init; } = [];

    /// <summary>What shape of question this answered (fact, author, coverage, ...).</summary>
    public AnswerForm Form { get; init; } = AnswerForm.Passages;

    /// <summary>Follow-up questions worth offering as buttons.</summary>
    public IReadOnlyList<string> SuggestedQuestions { get; init; } = [];

    /// <summary>When refused: the closest things the archive does have.</summary>
    public IReadOnlyList<ArticleSummary> ClosestArticles { get; init; } = [];

    /// <summary>The question actually searched (follow-ups rewritten to stand alone).</summary>
    public string? StandaloneQuestion { get; init; }

    /// <summary>A short note for the reader, e.g. "the chat model was unavailable; this is an extractive answer".</summary>
    public string? Note { get; init; }

    /// <summary>Which composer wrote it: extractive or chat-model.</summary>
    public string ComposedBy { get; init; } = "extractive";
}

public enum AnswerForm { Passages, AuthorProfile, Coverage, ArticleList, NotFound }

/// <summary>
/// Why the archive could not answer: no question words at all, an article it does not hold, a question resting on
/// a false premise, a name it never mentions, or nothing relevant found.
/// </summary>
public enum RefusalReason { None, NotAQuestion, MissingArticle, FalsePremise, AbsentName, NothingFound }

public sealed record Citation(
    int N,
    string ArticleId,
    string Title,
    IReadOnlyList<string> Authors,
    string? Publication,
    string? Published,
    string? Url,
    string Quote,
    int Start,
    int End);

/// <summary>A piece of a streamed answer: text as it arrives, then the final checked answer.</summary>
public sealed record AnswerUpdate(string? TextDelta, Answer? Final)
{
    public static AnswerUpdate Delta(string text) => new(text, null);
    public static AnswerUpdate Completed(Answer answer) => new(null, answer);
}
