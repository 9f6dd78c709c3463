using System.Runtime.CompilerServices;
using System.Text;
using Clippings.Archive;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Text;

namespace Clippings.Answering;

/// <summary>
/// The default composer, with no model: answers with the most relevant sentences of the best passages, quoted
/// exactly and cited, in the form the question needs (passages, author profile, coverage list, article list),
/// or says plainly that the archive has nothing and what it has nearby.
/// </summary>
public sealed partial class ExtractiveAnswerComposer : IAnswerComposer
{
    private const int MaxSentences = 4;
    private const int MaxSentencesPerArticle = 2;
    private const int MaxListedWithQuotes = 12;

    private readonly IArchiveIndex _index;
    private readonly RetrievalOptions _retrievalOptions;

    public ExtractiveAnswerComposer(IArchiveIndex index, Microsoft.Extensions.Options.IOptions<RetrievalOptions> retrievalOptions)
    {
        _index = index;
        _retrievalOptions = retrievalOptions.Value;
    }

    public async Task<Answer> ComposeAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var plan = context.Plan;
        var retrieval = context.Retrieval;
        if (!retrieval.IsRelevant)
        {
            return Refuse(context);
        }

        var answer = plan.Intent switch
        {
            QuestionIntent.AuthorProfile => await AuthorProfileAsync(context, cancellationToken).ConfigureAwait(false),
            QuestionIntent.ArticleList => await ListingAsync(context, cancellationToken).ConfigureAwait(false),
            QuestionIntent.AuthorList => await AuthorListAsync(context, cancellationToken).ConfigureAwait(false),
            QuestionIntent.Coverage => Coverage(context),
            _ => Passages(context),
        };
        return WithNotes(answer, context);
    }

    /// <summary>What understanding changed (a name read past a typo, a filter relaxed) is said before the answer, never silently.</summary>
    internal static Answer WithNotes(Answer answer, AnswerContext context)
    {
        var notes = context.Plan.Notes.Concat(context.Retrieval.Notes).Distinct(StringComparer.Ordinal).ToList();
        return notes.Count == 0 || answer.Refused ? answer : answer with { Text = string.Join(" ", notes) + "\n\n" + answer.Text };
    }

    private async Task<Answer> AuthorListAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var listed = context.Retrieval.Listing;
        var authors = listed.SelectMany(a => a.Authors).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var builder = new StringBuilder();
        var citations = new List<Citation>();
        var scope = DescribeScope(context.Plan);
        builder.Append($"{Count(authors.Count, "author")} wrote the pieces in the archive{scope}:\n");
        foreach (var name in authors.Take(_retrievalOptions.MaxListed))
        {
            var theirs = listed.Where(a => a.Authors.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
            var latest = theirs.Where(a => a.Published is not null).OrderByDescending(a => a.Published).FirstOrDefault() ?? theirs[0];
            builder.Append($"- **{name}**: latest *{latest.Title}* ({CitationFormatting.FormatDate(latest.Published, latest.DatePrecision)})");
            if (citations.Count < MaxListedWithQuotes && await _index.GetArticleAsync(latest.Id, cancellationToken).ConfigureAwait(false) is { } article)
            {
                var n = citations.Count + 1;
                citations.Add(CitationFormatting.OpeningOf(n, article));
                builder.Append($" [{n}]");
            }

            builder.Append('\n');
        }

        if (authors.Count > _retrievalOptions.MaxListed)
        {
            builder.Append($"…and {authors.Count - _retrievalOptions.MaxListed} more.\n");
        }

        return new Answer
        {
            Text = builder.ToString().TrimEnd(),
            Citations = citations,
            Form = AnswerForm.ArticleList,
            SuggestedQuestions = authors.Take(2).Select(a => $"What else has {a} written here?").ToList(),
        };
    }

    public async IAsyncEnumerable<AnswerUpdate> StreamAsync(AnswerContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = await ComposeAsync(context, cancellationToken).ConfigureAwait(false);
        yield return AnswerUpdate.Delta(answer.Text);
        yield return AnswerUpdate.Completed(answer);
    }

    /// <summary>The refusal: plain about the gap, and pointing at the nearest things the archive has.</summary>
    public static Answer Refuse(AnswerContext context)
    {
        var plan = context.Plan;
        var builder = new StringBuilder();
        builder.Append(plan.MissingArticle is not null
            ? $"The archive does not hold {plan.MissingArticle}, so I can't answer that from it."
            : plan.PremiseProblem is not null
                ? plan.PremiseProblem
                : context.Retrieval.AbsentName is { } absent
                    ? $"The archive never mentions {absent}, so I can't answer that from it."
                    : "I couldn't find anything in the archive that answers that.");

        var closest = context.Retrieval.Articles.Take(3).Select(a => a.Article).ToList();
        if (closest.Count > 0)
        {
            builder.Append(" The closest pieces it does have are: ");
            builder.Append(string.Join("; ", closest.Select(CitationFormatting.Describe)));
            builder.Append('.');
        }
        else if (context.Retrieval.Authors.Count > 0)
        {
            var author = context.Retrieval.Authors[0];
            builder.Append($" It does hold {author.ArticleCount} pieces by {author.Name}.");
        }

        return new Answer
        {
            Text = builder.ToString(),
            Refused = true,
            RefusalReason = plan.MissingArticle is not null ? RefusalReason.MissingArticle
                : plan.PremiseProblem is not null ? RefusalReason.FalsePremise
                : context.Retrieval.AbsentName is not null ? RefusalReason.AbsentName
                : RefusalReason.NothingFound,
            Form = AnswerForm.NotFound,
            ClosestArticles = closest,
            SuggestedQuestions = closest.Take(2).Select(a => $"What is \"{ArchiveCatalog.StripSeriesPrefix(a.Title).Trim()}\" about?").ToList(),
        };
    }

    private Answer Passages(AnswerContext context)
    {
        var plan = context.Plan;
        var picked = PickSentences(plan.SearchText, context.Retrieval.Articles, MaxSentences);
        if (picked.Count == 0)
        {
            return Refuse(context);
        }

        var citations = new List<Citation>();
        var builder = new StringBuilder();
        var top = context.Retrieval.Articles[0].Article;

        if (plan.AsksForMetadata)
        {
            // "Who wrote…", "when did … appear": the metadata is the answer; the top sentence shows which piece.
            var lead = picked.FirstOrDefault(p => p.Hit.Article.Id == top.Id) ?? picked[0];
            var leadArticle = lead.Hit.Article;
            citations.Add(CitationFormatting.FromSentence(1, lead.Hit, lead.Sentence));
            builder.Append($"{leadArticle.Title} was written by {CitationFormatting.FormatAuthors(leadArticle.Authors)}");
            if (!string.IsNullOrWhiteSpace(leadArticle.Publication))
            {
                builder.Append($" and first appeared in {leadArticle.Publication}");
            }

            builder.Append(leadArticle.Published is null ? " (the archive has no date for it)" : $" {DatePhrase(leadArticle)}");
            builder.Append(". [1]");
            picked = picked.Where(p => p != lead).ToList();
            if (picked.Count > 0)
            {
                builder.Append("\n\n");
            }
        }

        foreach (var group in picked.GroupBy(p => p.Hit.Article.Id))
        {
            var article = group.First().Hit.Article;
            builder.Append($"In *{article.Title}* ({CitationFormatting.FormatAuthors(article.Authors)}, {CitationFormatting.FormatDate(article.Published, article.DatePrecision)}): ");
            var first = true;
            foreach (var sentence in group.OrderBy(p => p.Hit.Start + p.Sentence.Start))
            {
                var n = citations.Count + 1;
                citations.Add(CitationFormatting.FromSentence(n, sentence.Hit, sentence.Sentence));
                builder.Append(first ? "" : " ").Append('“').Append(Inline(sentence.Sentence.Text)).Append($"” [{n}]");
                first = false;
            }

            builder.Append("\n\n");
        }

        return new Answer
        {
            Text = builder.ToString().TrimEnd(),
            Citations = citations,
            Form = AnswerForm.Passages,
            SuggestedQuestions = Suggestions(top, context),
        };
    }

    private async Task<Answer> AuthorProfileAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var builder = new StringBuilder();
        var citations = new List<Citation>();
        foreach (var author in context.Retrieval.Authors.Take(2))
        {
            builder.Append($"**{author.Name}**");
            builder.Append(string.IsNullOrWhiteSpace(author.Bio) ? ": the archive has no biography for this author." : $" (from the archive's author note): {author.Bio}");
            builder.Append("\n\n");

            var pieces = context.Retrieval.Listing.Where(a => a.Authors.Contains(author.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            if (pieces.Count == 0)
            {
                continue;
            }

            builder.Append($"The archive holds {Count(pieces.Count, "piece")} by {author.Name}");
            var dated = pieces.Where(p => p.Published is not null).OrderBy(p => p.Published).ToList();
            if (dated.Count > 0)
            {
                var first = CitationFormatting.FormatDate(dated[0].Published, dated[0].DatePrecision);
                var last = CitationFormatting.FormatDate(dated[^1].Published, dated[^1].DatePrecision);
                builder.Append(first == last ? $", from {first}" : $", from {first} to {last}");
            }

            var venues = pieces.Select(p => p.Publication).Where(p => p is not null).Distinct().Take(4).ToList();
            if (venues.Count > 0)
            {
                builder.Append($", in {string.Join(", ", venues)}");
            }

            builder.Append(pieces.Count > 5 ? ". Among them:\n" : ":\n");

            // Pieces that match the question's topic come first, then the newest.
            var matched = context.Retrieval.Articles.Select(a => a.Article.Id).ToList();
            var shown = pieces.OrderBy(p => matched.IndexOf(p.Id) is var i && i >= 0 ? i : int.MaxValue).ThenByDescending(p => p.Published).Take(5);
            foreach (var piece in shown)
            {
                var article = await _index.GetArticleAsync(piece.Id, cancellationToken).ConfigureAwait(false);
                if (article is null)
                {
                    continue;
                }

                var n = citations.Count + 1;
                citations.Add(CitationFormatting.OpeningOf(n, article));
                builder.Append($"- *{piece.Title}* ({CitationFormatting.FormatDate(piece.Published, piece.DatePrecision)}) [{n}]\n");
            }

            builder.Append('\n');
        }

        return new Answer
        {
            Text = builder.ToString().TrimEnd(),
            Citations = citations,
            Form = AnswerForm.AuthorProfile,
            SuggestedQuestions = context.Retrieval.Authors.Take(1).Select(a => $"What has {a.Name} written about most often here?")
                .Concat(context.Retrieval.Listing.Take(1).Select(a => $"What is \"{ArchiveCatalog.StripSeriesPrefix(a.Title).Trim()}\" about?")).ToList(),
        };
    }

    private async Task<Answer> ListingAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var listing = context.Retrieval.Listing;
        if (listing.Count == 0)
        {
            return Refuse(context);
        }

        var builder = new StringBuilder();
        var citations = new List<Citation>();
        builder.Append($"The archive holds {Count(listing.Count, "matching piece")}{DescribeScope(context.Plan)}, {(context.Plan.Order == DateOrder.OldestFirst ? "oldest" : "newest")} first:\n");
        foreach (var piece in listing.Take(_retrievalOptions.MaxListed))
        {
            builder.Append($"- {CitationFormatting.FormatDate(piece.Published, piece.DatePrecision)}: *{piece.Title}*, by {CitationFormatting.FormatAuthors(piece.Authors)}");
            if (!string.IsNullOrWhiteSpace(piece.Publication))
            {
                builder.Append($", {piece.Publication}");
            }

            if (citations.Count < MaxListedWithQuotes)
            {
                var article = await _index.GetArticleAsync(piece.Id, cancellationToken).ConfigureAwait(false);
                if (article is not null)
                {
                    var n = citations.Count + 1;
                    citations.Add(CitationFormatting.OpeningOf(n, article));
                    builder.Append($" [{n}]");
                }
            }

            builder.Append('\n');
        }

        if (listing.Count > _retrievalOptions.MaxListed)
        {
            builder.Append($"…and {listing.Count - _retrievalOptions.MaxListed} more.\n");
        }

        return new Answer
        {
            Text = builder.ToString().TrimEnd(),
            Citations = citations,
            Form = AnswerForm.ArticleList,
            SuggestedQuestions = listing.Take(2).Select(a => $"What is \"{ArchiveCatalog.StripSeriesPrefix(a.Title).Trim()}\" about?").ToList(),
        };
    }

    private Answer Coverage(AnswerContext context)
    {
        var articles = context.Retrieval.Articles;
        var best = articles.Count == 0 ? 0 : articles[0].Score;
        var relevant = articles
            .Where(a => a.Score >= best * 0.5 && (a.Passages[0].DenseScore ?? 1) >= _retrievalOptions.RelevanceThreshold)
            .Take(_retrievalOptions.MaxListed)
            .OrderByDescending(a => a.Article.Published ?? DateOnly.MinValue)
            .ToList();
        if (relevant.Count == 0)
        {
            return Refuse(context);
        }

        var topic = string.IsNullOrWhiteSpace(context.Plan.Topic) ? "this" : context.Plan.Topic;
        var builder = new StringBuilder($"Yes: the archive has {Count(relevant.Count, "piece")} on {topic}, newest first:\n");
        var citations = new List<Citation>();
        foreach (var match in relevant)
        {
            var sentence = PickSentences(context.Plan.SearchText, [match], 1).FirstOrDefault();
            var n = citations.Count + 1;
            var hit = sentence?.Hit ?? match.Passages[0];
            var span = sentence?.Sentence ?? CitationFormatting.Clip(SentenceSplitter.Split(hit.Text)[0]);
            citations.Add(CitationFormatting.FromSentence(n, hit, span));
            builder.Append($"- {CitationFormatting.FormatDate(match.Article.Published, match.Article.DatePrecision)}: *{match.Article.Title}* ({CitationFormatting.FormatAuthors(match.Article.Authors)}): “{Inline(span.Text)}” [{n}]\n");
        }

        return new Answer
        {
            Text = builder.ToString().TrimEnd(),
            Citations = citations,
            Form = AnswerForm.Coverage,
            SuggestedQuestions = relevant.Take(2).Select(a => $"What does \"{ArchiveCatalog.StripSeriesPrefix(a.Article.Title).Trim()}\" say about {topic}?").ToList(),
        };
    }

    internal sealed record PickedSentence(PassageHit Hit, SentenceSpan Sentence, double Score);

    /// <summary>
    /// The sentences that best answer the question: question-term overlap weighted by how rare each term is among
    /// the candidates, plus the rank of the passage and article they come from.
    /// </summary>
    internal static List<PickedSentence> PickSentences(string question, IReadOnlyList<ArticleMatch> articles, int max)
    {
        // A follow-up arrives as "question? (subjects of the previous turn)". The subjects say which pieces are meant:
        // sentences come from the pieces that share most of them. Which sentence answers is the reader's own words' call
        // ("how much does each one cost?" wants the price, not every sentence that names the oysters).
        var followUp = FollowUpContext().Match(question);
        var questionTerms = LexicalAnalyzer.Analyze(followUp.Success ? followUp.Groups[1].Value : question).ToHashSet(StringComparer.Ordinal);
        var contextTerms = followUp.Success ? LexicalAnalyzer.Analyze(followUp.Groups[2].Value).Where(t => !questionTerms.Contains(t)).ToHashSet(StringComparer.Ordinal) : [];
        if (questionTerms.Count == 0)
        {
            (questionTerms, contextTerms) = (contextTerms, []);
        }

        var considered = Enumerable.Range(0, Math.Min(articles.Count, 4)).ToList();
        if (contextTerms.Count > 0)
        {
            int Shared(ArticleMatch match) =>
                LexicalAnalyzer.Analyze(match.Article.Title + " " + string.Join(' ', match.Passages.Take(3).Select(p => p.Text))).Distinct(StringComparer.Ordinal).Count(contextTerms.Contains);
            var shared = considered.ToDictionary(a => a, a => Shared(articles[a]));
            var most = shared.Values.DefaultIfEmpty(0).Max();
            if (most > 0)
            {
                considered = considered.Where(a => shared[a] == most).ToList();
            }
        }

        var candidates = new List<(PassageHit Hit, SentenceSpan Sentence, HashSet<string> Terms, int ArticleRank, int PassageRank)>();
        foreach (var a in considered)
        {
            var passages = articles[a].Passages;
            for (var p = 0; p < Math.Min(passages.Count, 3); p++)
            {
                foreach (var sentence in SentenceSplitter.Split(passages[p].Text))
                {
                    var clipped = CitationFormatting.Clip(sentence);
                    var words = clipped.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                    if (words < 5)
                    {
                        continue;
                    }

                    candidates.Add((passages[p], clipped, LexicalAnalyzer.Analyze(clipped.Text).ToHashSet(StringComparer.Ordinal), a, p));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var documentFrequency = questionTerms.ToDictionary(t => t, t => candidates.Count(c => c.Terms.Contains(t)), StringComparer.Ordinal);
        var scored = candidates.Select(c =>
        {
            var overlap = questionTerms.Where(c.Terms.Contains).Sum(t => Math.Log(1 + (candidates.Count / (double)documentFrequency[t])));
            var length = Math.Sqrt(c.Terms.Count + 8);
            var prior = (1.0 / (1 + c.ArticleRank)) + (0.5 / (1 + c.PassageRank));
            return new PickedSentence(c.Hit, c.Sentence, (overlap / length * 2) + prior);
        }).OrderByDescending(s => s.Score).ToList();

        var best = scored[0].Score;
        var picked = new List<PickedSentence>();
        foreach (var sentence in scored)
        {
            if (picked.Count >= max || sentence.Score < best * 0.55)
            {
                break;
            }

            if (picked.Count(p => p.Hit.Article.Id == sentence.Hit.Article.Id) >= MaxSentencesPerArticle
                || picked.Any(p => p.Hit.Article.Id == sentence.Hit.Article.Id && p.Hit.Start + p.Sentence.Start == sentence.Hit.Start + sentence.Sentence.Start))
            {
                continue;
            }

            picked.Add(sentence);
        }

        return picked;
    }

    internal static List<string> Suggestions(ArticleSummary top, AnswerContext context)
    {
        var suggestions = new List<string>();
        if (top.Authors.Count > 0)
        {
            // A columnist of this decade "is"; the author of a 1787 paper "was".
            var tense = top.Published is { } published && published.Year >= DateTime.UtcNow.Year - 30 ? "is" : "was";
            suggestions.Add($"Who {tense} {top.Authors[0]}?");
            suggestions.Add($"What else has {top.Authors[0]} written here?");
        }

        var title = ArchiveCatalog.StripSeriesPrefix(top.Title).Trim();
        if (!context.Plan.AsksForMetadata)
        {
            suggestions.Add($"When did \"{title}\" first appear?");
        }

        return suggestions.Take(3).ToList();
    }

    private static string DatePhrase(ArticleSummary article) => article.DatePrecision switch
    {
        DatePrecision.Year => $"in {CitationFormatting.FormatDate(article.Published, article.DatePrecision)}",
        DatePrecision.Month => $"in {CitationFormatting.FormatDate(article.Published, article.DatePrecision)}",
        _ => $"on {CitationFormatting.FormatDate(article.Published, article.DatePrecision)}",
    };

    private static string DescribeScope(QueryPlan plan)
    {
        var parts = new List<string>();
        if (plan.Authors.Count > 0)
        {
            parts.Add((plan.RequireAllAuthors ? "by " + string.Join(" and ", plan.Authors) + " jointly" : "by " + string.Join(" or ", plan.Authors)));
        }

        if (plan.Filter.Sections is { Count: > 0 } sections)
        {
            parts.Add("in " + string.Join(" or ", sections));
        }

        if (plan.Filter.From is not null || plan.Filter.To is not null)
        {
            var from = plan.Filter.From?.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
            var to = plan.Filter.To?.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
            parts.Add(from is not null && to is not null ? $"dated {from} to {to}" : from is not null ? $"dated from {from}" : $"dated up to {to}");
        }

        return parts.Count == 0 ? "" : " " + string.Join(", ", parts);
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>Verse keeps its line breaks in the stored quote; inline in an answer they become " / ".</summary>
    private static string Inline(string text) => text.Replace("\n", " / ", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"^(.*?[?.!])\s*\(([^()]*)\)\s*$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex FollowUpContext();
}
