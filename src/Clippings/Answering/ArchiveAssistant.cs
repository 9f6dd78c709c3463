using System.Diagnostics;
using System.Runtime.CompilerServices;
using Clippings.Archive;
using Clippings.Conversations;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Text;
using Microsoft.Extensions.Logging;

namespace Clippings.Answering;

/// <summary>A question to the archive, with the conversation so far and any filters the caller sets.</summary>
/// <remarks><paramref name="UnderstandQuery"/> = false searches the raw question with no filters, boosts or follow-up
/// resolution: the baseline that evaluation compares query understanding against.</remarks>
public sealed record AskRequest(string Question, Conversation? Conversation = null, SearchFilter? Filter = null, SearchMode Mode = SearchMode.Hybrid, bool UnderstandQuery = true);

/// <summary>One piece in a "what have we said about X" list, with its best quote.</summary>
public sealed record CoverageItem(ArticleSummary Article, double Score, Citation BestQuote);

public enum CoverageOrder { Date, Relevance }

/// <summary>
/// The one entry point every host uses: question → follow-up resolution → query understanding → retrieval →
/// composed, cited answer. Also the editors' coverage search and a few helpers for channels.
/// </summary>
public sealed class ArchiveAssistant
{
    /// <summary>Longer questions are cut to this many characters before analysis (a pasted essay is not a question).</summary>
    public const int MaxQuestionChars = 2000;

    private readonly IArchiveIndex _index;
    private readonly QueryAnalyzer _analyzer;
    private readonly ArchiveRetriever _retriever;
    private readonly ArchiveCatalogProvider _catalog;
    private readonly IAnswerComposer _composer;
    private readonly IFollowUpRewriter _rewriter;
    private readonly ILogger<ArchiveAssistant> _logger;

    public ArchiveAssistant(
        IArchiveIndex index,
        QueryAnalyzer analyzer,
        ArchiveRetriever retriever,
        ArchiveCatalogProvider catalog,
        IAnswerComposer composer,
        IFollowUpRewriter rewriter,
        ILogger<ArchiveAssistant> logger)
    {
        _index = index;
        _analyzer = analyzer;
        _retriever = retriever;
        _catalog = catalog;
        _composer = composer;
        _rewriter = rewriter;
        _logger = logger;
    }

    public IArchiveIndex Index => _index;

    public async Task<Answer> AskAsync(AskRequest request, CancellationToken cancellationToken)
    {
        Answer? final = null;
        await foreach (var update in AskStreamingAsync(request, cancellationToken).ConfigureAwait(false))
        {
            final = update.Final ?? final;
        }

        return final ?? throw new InvalidOperationException("The composer finished without an answer.");
    }

    public async IAsyncEnumerable<AnswerUpdate> AskStreamingAsync(AskRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var question = (request.Question ?? "").Trim();
        if (question.Length > MaxQuestionChars)
        {
            _logger.LogWarning("Question of {Length} characters cut to {Max}", question.Length, MaxQuestionChars);
            question = question[..MaxQuestionChars];
        }

        if (LexicalAnalyzer.Tokenize(question).All(t => t.Length == 0) || !question.Any(char.IsLetterOrDigit))
        {
            var help = new Answer
            {
                Text = "Ask me about the archive: a piece, an author, or a subject. For example: " + string.Join(" ", await SampleQuestionsAsync(2, cancellationToken).ConfigureAwait(false)),
                Refused = true,
                RefusalReason = RefusalReason.NotAQuestion,
                Form = AnswerForm.NotFound,
            };
            yield return AnswerUpdate.Delta(help.Text);
            yield return AnswerUpdate.Completed(help);
            yield break;
        }

        if (request.UnderstandQuery && request.Conversation is not { Turns.Count: > 0 } && request.Conversation?.ScopedArticleId is null
            && RuleBasedFollowUpRewriter.NeedsAnEarlierTurn(question))
        {
            // "What else did they find?" as the first question: answering it would guess at who "they" are.
            var ask = new Answer
            {
                Text = "That question leans on an earlier one, and this conversation has none yet. Say which piece, person or subject you mean, for example: "
                    + string.Join(" ", await SampleQuestionsAsync(2, cancellationToken).ConfigureAwait(false)),
                Refused = true,
                RefusalReason = RefusalReason.NotAQuestion,
                Form = AnswerForm.NotFound,
            };
            yield return AnswerUpdate.Delta(ask.Text);
            yield return AnswerUpdate.Completed(ask);
            yield break;
        }

        var (context, _) = await PrepareAsync(question, request, cancellationToken).ConfigureAwait(false);
        Answer? answer = null;
        await foreach (var update in _composer.StreamAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (update.Final is not null)
            {
                answer = update.Final with { StandaloneQuestion = context.Plan.SearchText };
                yield return AnswerUpdate.Completed(answer);
            }
            else
            {
                yield return update;
            }
        }

        if (answer is not null)
        {
            _logger.LogInformation(
                "Answered {Intent} question with {Citations} citations (refused {Refused}, by {ComposedBy}) in {ElapsedMs} ms",
                context.Plan.Intent, answer.Citations.Count, answer.Refused, answer.ComposedBy, stopwatch.ElapsedMilliseconds);
        }
    }

    /// <summary>Asks and also returns what retrieval found (for evaluation and diagnostics).</summary>
    public async Task<(AnswerContext Context, Answer Answer)> AskWithContextAsync(AskRequest request, CancellationToken cancellationToken)
    {
        var question = request.Question.Trim();
        if (question.Length > MaxQuestionChars)
        {
            question = question[..MaxQuestionChars];
        }

        var (context, _) = await PrepareAsync(question, request, cancellationToken).ConfigureAwait(false);
        var answer = await _composer.ComposeAsync(context, cancellationToken).ConfigureAwait(false);
        return (context, answer with { StandaloneQuestion = context.Plan.SearchText });
    }

    /// <summary>Follow-up resolution, query understanding and retrieval, without composing (used by eval and the composers' tests).</summary>
    public async Task<AnswerContext> RetrieveAsync(AskRequest request, CancellationToken cancellationToken) =>
        (await PrepareAsync(request.Question.Trim(), request, cancellationToken).ConfigureAwait(false)).Context;

    private async Task<(AnswerContext Context, QueryPlan Plan)> PrepareAsync(string question, AskRequest request, CancellationToken cancellationToken)
    {
        var conversation = request.Conversation ?? Conversation.Empty;
        if (!request.UnderstandQuery)
        {
            var rawPlan = new QueryPlan { Question = question, SearchText = question, Filter = request.Filter ?? SearchFilter.None };
            return (new AnswerContext(question, rawPlan, await _retriever.RetrieveAsync(rawPlan, request.Mode, cancellationToken).ConfigureAwait(false), conversation), rawPlan);
        }

        var catalog = await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var resolved = conversation.ScopedArticleId is not null && catalog.FindById(conversation.ScopedArticleId) is { } scopedArticle
            ? ScopedArticleReferences.Resolve(question, scopedArticle)
            : question;
        var standalone = await _rewriter.RewriteAsync(resolved, conversation, cancellationToken).ConfigureAwait(false);
        var plan = await _analyzer.AnalyzeAsync(standalone, catalog, request.Filter, conversation.ScopedArticleId, cancellationToken).ConfigureAwait(false);

        if (!string.Equals(standalone, resolved, StringComparison.Ordinal) && conversation.Turns.Count > 0)
        {
            // A follow-up: the previous answer's sources are the likeliest subject.
            var previous = conversation.Turns[^1].Answer.Citations.Select(c => c.ArticleId).Distinct(StringComparer.OrdinalIgnoreCase).Take(2).ToList();
            plan = plan with { BoostedArticleIds = previous };
        }

        var retrieval = await _retriever.RetrieveAsync(plan, request.Mode, cancellationToken).ConfigureAwait(false);
        return (new AnswerContext(question, plan, retrieval, conversation), plan);
    }

    /// <summary>
    /// "What have we said about X": the pieces that match, each with its best quote, newest first or by relevance.
    /// </summary>
    public async Task<IReadOnlyList<CoverageItem>> SearchArticlesAsync(string query, SearchFilter filter, CoverageOrder order, int limit, CancellationToken cancellationToken)
    {
        var catalog = await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var plan = _analyzer.Analyze(query, catalog, filter);
        plan = plan with { Intent = QuestionIntent.Coverage };
        var retrieval = await _retriever.RetrieveAsync(plan, SearchMode.Hybrid, cancellationToken).ConfigureAwait(false);
        if (!retrieval.IsRelevant)
        {
            return [];
        }

        var best = retrieval.Articles.Count == 0 ? 0 : retrieval.Articles[0].Score;
        var items = new List<CoverageItem>();
        foreach (var match in retrieval.Articles.Where(a => a.Score >= best * 0.5 && (a.Passages[0].DenseScore ?? 1) >= _retriever.Options.RelevanceThreshold).Take(Math.Clamp(limit, 1, 100)))
        {
            var picked = ExtractiveAnswerComposer.PickSentences(plan.SearchText, [match], 1).FirstOrDefault();
            var hit = picked?.Hit ?? match.Passages[0];
            var sentence = picked?.Sentence ?? CitationFormatting.Clip(SentenceSplitter.Split(hit.Text)[0]);
            items.Add(new CoverageItem(match.Article, match.Score, CitationFormatting.FromSentence(items.Count + 1, hit, sentence)));
        }

        return order == CoverageOrder.Date
            ? items.OrderByDescending(i => i.Article.Published ?? DateOnly.MinValue).ToList()
            : items;
    }

    /// <summary>Example questions drawn from the archive itself (for welcomes and empty states).</summary>
    public async Task<IReadOnlyList<string>> SampleQuestionsAsync(int count, CancellationToken cancellationToken)
    {
        var catalog = await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var questions = new List<string>();
        var author = catalog.Authors.OrderByDescending(a => a.ArticleCount).FirstOrDefault();
        if (author is not null)
        {
            questions.Add($"Who is {author.Name}?");
        }

        var newest = catalog.Articles.FirstOrDefault(a => a.Published is not null);
        if (newest is not null)
        {
            questions.Add($"What is \"{ArchiveCatalog.StripSeriesPrefix(newest.Title).Trim()}\" about?");
        }

        var section = catalog.SectionNames.FirstOrDefault();
        if (section is not null)
        {
            questions.Add($"Which pieces appeared in {section}?");
        }

        return questions.Take(count).ToList();
    }

    public async Task<ArticleSummary?> FindArticleByUrlAsync(string url, CancellationToken cancellationToken)
    {
        var catalog = await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        return catalog.FindByUrl(url);
    }

    /// <summary>Call after writing to the index in this process, so query understanding sees the new articles.</summary>
    public void InvalidateCatalog() => _catalog.Invalidate();
}
