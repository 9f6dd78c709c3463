using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Clippings.Archive;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Text;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace Clippings.Answering.ChatModel;

/// <summary>
/// Answers with a chat model: the retrieved passages, numbered best first and fitted to the context window, go into
/// the <c>AnswerWithCitations</c> prompt (or <c>AuthorAnswer</c> for questions about a writer); the model's answer is
/// checked as it streams (<see cref="CitedAnswerBuilder"/>). No valid citation, or a model that stays unavailable
/// after its retries, gives the extractive answer (or a refusal) with a short note. Refusals and metadata listings
/// are left to the extractive composer: there is nothing for a model to write there.
/// </summary>
public sealed class ChatModelAnswerComposer : IAnswerComposer
{
    public const string ComposerName = "chat-model";

    private const int OpeningChars = 600;

    private readonly ChatModelClient _client;
    private readonly ExtractiveAnswerComposer _extractive;
    private readonly IArchiveIndex _index;
    private readonly ContextBudget _budget;
    private readonly ILogger<ChatModelAnswerComposer> _logger;

    public ChatModelAnswerComposer(ChatModelClient client, ExtractiveAnswerComposer extractive, IArchiveIndex index, ILogger<ChatModelAnswerComposer> logger)
    {
        _client = client;
        _extractive = extractive;
        _index = index;
        _budget = new ContextBudget(client.Options.ContextWindowTokens);
        _logger = logger;
    }

    private ChatModelOptions Options => _client.Options;

    public async Task<Answer> ComposeAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var request = await BuildRequestAsync(context, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            return await _extractive.ComposeAsync(context, cancellationToken).ConfigureAwait(false);
        }

        string completion;
        try
        {
            completion = await _client.CompleteAsync(request.Prompt, request.Arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatModelUnavailableException ex)
        {
            return await UnavailableAsync(context, ex, cancellationToken).ConfigureAwait(false);
        }

        var builder = new CitedAnswerBuilder(request.Sources);
        builder.Append(completion);
        builder.Flush();
        return await FinishAsync(context, request, builder, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<AnswerUpdate> StreamAsync(AnswerContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = await BuildRequestAsync(context, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            await foreach (var update in _extractive.StreamAsync(context, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var builder = new CitedAnswerBuilder(request.Sources);
        var streamed = false;
        ChatModelUnavailableException? failure = null;
        await using (var chunks = _client.StreamAsync(request.Prompt, request.Arguments, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                string chunk;
                try
                {
                    if (!await chunks.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    chunk = chunks.Current;
                }
                catch (ChatModelUnavailableException ex)
                {
                    failure = ex;
                    break;
                }

                var checkedText = builder.Append(chunk);
                if (checkedText.Length > 0)
                {
                    streamed = true;
                    yield return AnswerUpdate.Delta(checkedText);
                }
            }
        }

        Answer answer;
        if (failure is not null)
        {
            answer = await UnavailableAsync(context, failure, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var rest = builder.Flush();
            if (rest.Length > 0)
            {
                streamed = true;
                yield return AnswerUpdate.Delta(rest);
            }

            answer = await FinishAsync(context, request, builder, cancellationToken).ConfigureAwait(false);
        }

        // A fallback replaces what was streamed: hosts show the final text when it differs from the deltas.
        if (!streamed)
        {
            yield return AnswerUpdate.Delta(answer.Text);
        }

        yield return AnswerUpdate.Completed(answer);
    }

    private async Task<Answer> FinishAsync(AnswerContext context, PromptRequest request, CitedAnswerBuilder builder, CancellationToken cancellationToken)
    {
        if (builder.DroppedMarkers > 0)
        {
            _logger.LogWarning("Removed {Dropped} citation markers pointing to no supplied passage ({Sources} passages given)", builder.DroppedMarkers, request.Sources.Count);
        }

        if (builder.Citations.Count == 0)
        {
            _logger.LogWarning("The chat model's answer cited no passage; giving the {Fallback} answer instead", Options.NoCitationFallback);
            const string note = "the chat model's answer cited none of the archive's passages, so it was not used";
            return Options.NoCitationFallback == NoCitationFallback.Refuse
                ? ExtractiveAnswerComposer.Refuse(context) with { Note = note }
                : (await _extractive.ComposeAsync(context, cancellationToken).ConfigureAwait(false)) with { Note = note };
        }

        var top = context.Retrieval.Articles.Count > 0 ? context.Retrieval.Articles[0].Article : request.Sources[0].Article;
        return new Answer
        {
            Text = builder.Text.Trim(),
            Citations = builder.Citations,
            Form = request.Form,
            SuggestedQuestions = ExtractiveAnswerComposer.Suggestions(top, context),
            ComposedBy = ComposerName,
        };
    }

    private async Task<Answer> UnavailableAsync(AnswerContext context, ChatModelUnavailableException failure, CancellationToken cancellationToken)
    {
        var answer = await _extractive.ComposeAsync(context, cancellationToken).ConfigureAwait(false);
        return answer with { Note = $"the chat model was unavailable ({failure.Reason}); this answer quotes the archive directly" };
    }

    internal sealed record PromptRequest(string Prompt, KernelArguments Arguments, IReadOnlyList<PassageHit> Sources, AnswerForm Form);

    /// <summary>The prompt, its arguments and the numbered sources; null when the extractive composer should answer.</summary>
    internal async Task<PromptRequest?> BuildRequestAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var retrieval = context.Retrieval;
        if (!retrieval.IsRelevant || context.Plan.Intent is QuestionIntent.ArticleList or QuestionIntent.AuthorList)
        {
            return null;
        }

        var question = string.IsNullOrWhiteSpace(context.Plan.Question) ? context.Question : context.Plan.Question;
        if (context.Plan.Intent == QuestionIntent.AuthorProfile && retrieval.Authors.Count > 0)
        {
            var authors = retrieval.Authors.Take(2).ToList();
            var note = string.Join("\n\n", authors.Select(a => DescribeAuthor(a, retrieval.Listing)));
            var candidates = await AuthorSourcesAsync(authors, retrieval, cancellationToken).ConfigureAwait(false);
            return Fit(PromptLibrary.AuthorAnswer, question, candidates, AnswerForm.AuthorProfile, ("author_note", note));
        }

        var passages = RankedPassages(retrieval);
        return passages.Count == 0 ? null : Fit(PromptLibrary.AnswerWithCitations, question, passages, AnswerForm.Passages);
    }

    /// <summary>Passages best first: the top articles' best passages (two each), as many as <see cref="ChatModelOptions.MaxPassages"/>.</summary>
    private List<PassageHit> RankedPassages(RetrievalResult retrieval) =>
        retrieval.Articles.SelectMany(a => a.Passages.Take(2)).Take(Math.Max(1, Options.MaxPassages)).ToList();

    private PromptRequest Fit(string prompt, string question, IReadOnlyList<PassageHit> candidates, AnswerForm form, params (string Name, string Value)[] extra)
    {
        var formatted = candidates.Select((hit, i) => FormatPassage(i + 1, hit)).ToList();
        var fixedTokens = ContextBudget.CountTokens(_client.Prompts.Template(prompt)) + ContextBudget.CountTokens(question)
            + ContextBudget.CountTokens(Options.Voice) + ContextBudget.CountTokens(Options.Publication) + extra.Sum(e => ContextBudget.CountTokens(e.Value));
        var available = _budget.AvailableForPassages(fixedTokens, _client.Prompts.MaxAnswerTokens(prompt, 700));
        var count = ContextBudget.CountThatFit(formatted, available);
        _logger.LogInformation("Prompt {Prompt} gets {Passages} of {Candidates} passages ({Available} tokens available in a {Window}-token window)",
            prompt, count, candidates.Count, available, Options.ContextWindowTokens);

        var arguments = new KernelArguments
        {
            ["question"] = question,
            ["passages"] = string.Join("\n\n", formatted.Take(count)),
            ["publication"] = Options.Publication,
            ["voice"] = Options.Voice,
        };
        foreach (var (name, value) in extra)
        {
            arguments[name] = value;
        }

        return new PromptRequest(prompt, arguments, candidates.Take(count).ToList(), form);
    }

    /// <summary>
    /// "[n] Title, by Author, Publication, date" then the passage between BEGIN/END QUOTED PASSAGE lines; a passage
    /// cannot close its own quotation early (the delimiter words inside it are lower-cased).
    /// </summary>
    internal static string FormatPassage(int n, PassageHit hit)
    {
        var article = hit.Article;
        var byline = new List<string> { "by " + CitationFormatting.FormatAuthors(article.Authors) };
        if (!string.IsNullOrWhiteSpace(article.Publication))
        {
            byline.Add(article.Publication!);
        }

        byline.Add(CitationFormatting.FormatDate(article.Published, article.DatePrecision));
        var text = Defuse(hit.Text);
        return $"[{n}] \"{article.Title}\", {string.Join(", ", byline)}\nBEGIN QUOTED PASSAGE {n}\n{text}\nEND QUOTED PASSAGE {n}";
    }

    private static string Defuse(string text) => text
        .Replace("BEGIN QUOTED", "begin quoted", StringComparison.OrdinalIgnoreCase)
        .Replace("END QUOTED", "end quoted", StringComparison.OrdinalIgnoreCase);

    private static string DescribeAuthor(AuthorSummary author, IReadOnlyList<ArticleSummary> listing)
    {
        var builder = new StringBuilder("BEGIN QUOTED AUTHOR NOTE\n");
        builder.Append(author.Name).Append(": ").Append(string.IsNullOrWhiteSpace(author.Bio) ? "(the archive has no biography for this author)" : Defuse(author.Bio!)).Append('\n');
        var pieces = listing.Where(p => p.Authors.Contains(author.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        builder.Append(CultureInfo.InvariantCulture, $"The archive holds {author.ArticleCount} piece(s) by {author.Name}");
        var dated = pieces.Where(p => p.Published is not null).OrderBy(p => p.Published).ToList();
        if (dated.Count > 0)
        {
            builder.Append(", from ").Append(CitationFormatting.FormatDate(dated[0].Published, dated[0].DatePrecision))
                .Append(" to ").Append(CitationFormatting.FormatDate(dated[^1].Published, dated[^1].DatePrecision));
        }

        var venues = pieces.Select(p => p.Publication).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct().Take(4).ToList();
        if (venues.Count > 0)
        {
            builder.Append(", in ").Append(string.Join(", ", venues));
        }

        return builder.Append(".\nEND QUOTED AUTHOR NOTE").ToString();
    }

    /// <summary>Passages from the author's pieces: those that matched the question first, then the openings of their other pieces, newest first.</summary>
    private async Task<List<PassageHit>> AuthorSourcesAsync(IReadOnlyList<AuthorSummary> authors, RetrievalResult retrieval, CancellationToken cancellationToken)
    {
        bool ByAuthor(ArticleSummary a) => authors.Any(author => a.Authors.Contains(author.Name, StringComparer.OrdinalIgnoreCase));
        var sources = retrieval.Articles.Where(a => ByAuthor(a.Article)).Select(a => a.Passages[0]).ToList();
        foreach (var piece in retrieval.Listing.Where(ByAuthor).OrderByDescending(p => p.Published))
        {
            if (sources.Count >= Options.MaxPassages)
            {
                break;
            }

            if (sources.Any(s => s.Article.Id == piece.Id) || await _index.GetArticleAsync(piece.Id, cancellationToken).ConfigureAwait(false) is not { } article)
            {
                continue;
            }

            sources.Add(Opening(article));
        }

        return sources.Take(Options.MaxPassages).ToList();
    }

    /// <summary>The first sentences of an article (about <see cref="OpeningChars"/> characters) as a passage at offset 0.</summary>
    private static PassageHit Opening(Article article)
    {
        var end = 0;
        foreach (var sentence in SentenceSplitter.Split(article.Text))
        {
            end = sentence.End;
            if (end >= OpeningChars)
            {
                break;
            }
        }

        end = end == 0 ? Math.Min(article.Text.Length, OpeningChars) : end;
        return new PassageHit(article.ToSummary(), 0, 0, end, article.Text[..end], 0, null, null, null);
    }
}
