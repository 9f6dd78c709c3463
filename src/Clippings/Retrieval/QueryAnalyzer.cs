using Clippings.Retrieval.Understanding;
using Clippings.Storage;

namespace Clippings.Retrieval;

/// <summary>
/// Query understanding without a chat model: ordered recognisers over one shared draft of the question find the dates,
/// authors and their roles, order, sections, named articles, premise problems, kind, parts and scope; the plan turns them
/// into filters and boosts.
/// </summary>
public sealed class QueryAnalyzer
{
    private readonly ExemplarKindRecogniser? _kinds;

    /// <summary>Patterns only (tests, tools without the encoder).</summary>
    public QueryAnalyzer()
    {
    }

    /// <summary>With the question's kind also read from its nearest written exemplars when the patterns find none.</summary>
    public QueryAnalyzer(NearestExemplarIntentClassifier kinds) => _kinds = new ExemplarKindRecogniser(kinds);

    /// <summary>
    /// The fixed order matters: names before mentions (a mention changes a name's role), sections before named articles
    /// (a series is read within a named section), everything before the premise checks, the kind, the parts and the scope.
    /// </summary>
    private static readonly IQuestionRecogniser[] Recognisers =
    [
        new DateRecogniser(),
        new EventRangeRecogniser(),
        new AuthorNameRecogniser(),
        new MentionRecogniser(),
        new OrderRecogniser(),
        new SectionRecogniser(),
        new AuthorByBioRecogniser(),
        new ArticleReferenceRecogniser(),
        new AboutPhraseRecogniser(),
        new PremiseRecogniser(),
        new IntentRecogniser(),
        new QuestionPartsRecogniser(),
        new ArticleScopeRecogniser(),
    ];

    /// <summary>The patterns only: the exemplar vote on the question's kind needs the encoder, so it is left out here.</summary>
    public QueryPlan Analyze(string question, ArchiveCatalog catalog, SearchFilter? callerFilter = null, string? scopedArticleId = null)
    {
        var draft = new QuestionDraft(question, catalog, callerFilter, scopedArticleId);
        foreach (var recogniser in Recognisers)
        {
            recogniser.Recognise(draft);
        }

        return ToPlan(draft);
    }

    /// <summary>Every recogniser, the exemplar vote on the kind right after the patterns' kind (later steps read the kind).</summary>
    public async Task<QueryPlan> AnalyzeAsync(string question, ArchiveCatalog catalog, SearchFilter? callerFilter, string? scopedArticleId, CancellationToken cancellationToken)
    {
        var draft = new QuestionDraft(question, catalog, callerFilter, scopedArticleId);
        foreach (var recogniser in Recognisers)
        {
            recogniser.Recognise(draft);
            if (recogniser is IntentRecogniser && _kinds is not null)
            {
                await _kinds.RecogniseAsync(draft, cancellationToken).ConfigureAwait(false);
            }
        }

        return ToPlan(draft);
    }

    /// <summary>The draft's findings as filters: dates always; named articles instead of authors and sections, which they make redundant.</summary>
    internal static QueryPlan ToPlan(QuestionDraft draft)
    {
        var authors = draft.Writers;
        var filter = draft.CallerFilter;
        var favourOnly = draft.Dates is not null && draft.Intent == QuestionIntent.Passages && draft.SecondClauseAt is { } second
            && draft.Claims.Where(c => c.By == nameof(DateRecogniser)).All(c => c.End <= second);
        if (draft.Dates is { } dates && !favourOnly)
        {
            filter = filter with { From = filter.From ?? dates.From, To = filter.To ?? dates.To };
        }

        if (draft.NamedArticleIds.Count > 0)
        {
            filter = filter with { ArticleIds = filter.ArticleIds ?? draft.NamedArticleIds };
        }
        else
        {
            if (authors.Count > 0 && filter.Authors is null)
            {
                filter = filter with { Authors = authors };
            }

            if (draft.Sections.Count > 0 && filter.Sections is null)
            {
                filter = filter with { Sections = draft.Sections };
            }
        }

        return new QueryPlan
        {
            Question = draft.Question,
            SearchText = draft.Text,
            Intent = draft.Intent,
            Filter = filter,
            Authors = authors,
            AuthorRoles = draft.Roles,
            Sections = draft.Sections,
            Topic = draft.Topic,
            SeriesNumbers = draft.SeriesNumbers,
            NamedArticleIds = draft.NamedArticleIds,
            MissingArticle = draft.MissingArticle,
            RequireAllAuthors = draft.RequireAllAuthors,
            AsksForMetadata = draft.AsksForMetadata,
            HasDateScope = draft.Dates is not null && !favourOnly,
            DatesFavourOnly = favourOnly,
            Dates = draft.Dates,
            Events = draft.Intent == QuestionIntent.ArticleList ? draft.Events : null,
            ScopedArticleId = draft.KeptScope,
            Order = draft.Order,
            OrderSubject = draft.OrderSubject,
            PremiseProblem = draft.Premise,
            Notes = draft.Notes,
            MentionedName = draft.MentionedName,
            ExcludedAuthors = draft.Roles.Where(r => r.Role == AuthorRoleKind.Excluded).Select(r => r.Name).ToList(),
            TypedNames = draft.Names.Select(m => m.Typed).ToList(),
            QuotedPhrases = draft.QuotedPhrases,
            AboutPhrase = draft.AboutPhrase,
            Parts = draft.Parts,
        };
    }
}
