using System.Globalization;
using Clippings.Answering;
using Clippings.Archive;
using Clippings.Retrieval;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Insights;

/// <summary>
/// Builds the editors' report for a period from the question log: counts per channel and day, refused questions
/// grouped however they were typed, answers rated down, the most asked topics and the most cited pieces.
/// Every host (API, page, command line) shows this one report.
/// </summary>
public sealed class InsightsReporter
{
    private readonly QuestionLog _log;
    private readonly QuestionGrouper _grouper;
    private readonly ArchiveCatalogProvider _catalog;
    private readonly InsightsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InsightsReporter> _logger;

    public InsightsReporter(QuestionLog log, QuestionGrouper grouper, ArchiveCatalogProvider catalog, IOptions<InsightsOptions> options, TimeProvider time, ILogger<InsightsReporter> logger)
    {
        _log = log;
        _grouper = grouper;
        _catalog = catalog;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public bool Enabled => _log.Enabled;

    /// <summary>The message hosts give when insights are switched off.</summary>
    public const string OffMessage = "Editors' insights are off (Clippings:Insights:Enabled is false): no questions are logged. Set it to true to start logging.";

    /// <summary>The period from what a caller typed (see <see cref="InsightsQuery.Parse"/>).</summary>
    public InsightsQuery Query(string? since, string? until = null, string? channel = null) =>
        InsightsQuery.Parse(since, until, channel, _options.DefaultDays, _time.GetUtcNow());

    public async Task<InsightsReport> BuildAsync(InsightsQuery query, CancellationToken cancellationToken)
    {
        if (!_log.Enabled)
        {
            throw new ClippingsException(OffMessage);
        }

        await _log.PruneAsync(cancellationToken).ConfigureAwait(false);
        var questions = await _log.ReadQuestionsAsync(query.From, query.To, query.Channel, cancellationToken).ConfigureAwait(false);
        var ratings = await _log.ReadRatingsAsync(query.From, query.To, query.Channel, cancellationToken).ConfigureAwait(false);
        // Titles are only looked up when something was cited: reading an absent index would create an empty one.
        var catalog = questions.Any(q => q.CitedArticleIds.Count > 0) || ratings.Any(r => r.CitedArticleIds.Count > 0)
            ? await CatalogAsync(cancellationToken).ConfigureAwait(false)
            : null;
        var max = _options.MaxItems;

        // A string of punctuation is not a question the archive failed: counted, not listed.
        var refused = questions.Where(q => q.Refused && q.RefusalReason != RefusalReason.NotAQuestion).ToList();
        var groups = await _grouper.GroupAsync(refused, _options.SimilarityThreshold, cancellationToken).ConfigureAwait(false);
        var report = new InsightsReport(
            query.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            query.Until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Counts(questions, query),
            groups.Take(max).Select(Group).ToList(),
            ratings.Where(r => r.IsDown).Take(max).Select(r => new DownratedAnswer(
                r.Question, r.Comment, r.CitedArticleIds.Select(id => Reference(id, catalog)).ToList(), r.Channel, InsightsReport.Time(r.RatedAt))).ToList(),
            TopicCounter.Count(questions.Where(q => q.RefusalReason != RefusalReason.NotAQuestion), max),
            MostCited(questions, catalog, max));
        _logger.LogInformation(
            "Insights {Since}..{Until} ({Channel}): {Questions} questions, {Refused} refused in {Groups} groups, {Downrated} rated down",
            report.Since, report.Until, query.Channel ?? "all channels", questions.Count, refused.Count, groups.Count, report.Downrated.Count);
        return report;
    }

    private RefusedQuestionGroup Group(IReadOnlyList<LoggedQuestion> group)
    {
        // The question as most often typed names the group; the others are its examples.
        var spellings = group.GroupBy(q => q.Question.Trim(), StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Max(q => q.AskedAt))
            .Select(g => g.Key)
            .ToList();
        return new RefusedQuestionGroup(
            spellings[0],
            group.Count,
            spellings.Take(_options.MaxExamples).ToList(),
            InsightsReport.Time(group.Max(q => q.AskedAt)),
            group.Select(q => q.Channel).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }

    private static QuestionCounts Counts(IReadOnlyList<LoggedQuestion> questions, InsightsQuery query)
    {
        var byDay = questions.GroupBy(q => DateOnly.FromDateTime(q.AskedAt.UtcDateTime)).ToDictionary(g => g.Key, g => (Total: g.Count(), Refused: g.Count(q => q.Refused)));
        var days = new List<DayCount>();
        for (var day = query.Since; day <= query.Until; day = day.AddDays(1))
        {
            var (total, refused) = byDay.GetValueOrDefault(day);
            days.Add(new DayCount(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), total, refused));
            if (day == DateOnly.MaxValue)
            {
                break;
            }
        }

        return new QuestionCounts(
            questions.Count,
            questions.Count(q => !q.Refused),
            questions.Count(q => q.Refused),
            questions.GroupBy(q => q.Channel, StringComparer.Ordinal)
                .Select(g => new ChannelCount(g.Key, g.Count(), g.Count(q => q.Refused)))
                .OrderByDescending(c => c.Total).ThenBy(c => c.Channel, StringComparer.Ordinal).ToList(),
            days,
            questions.Where(q => q.Refused)
                .GroupBy(q => q.RefusalReason)
                .Select(g => new ReasonCount(ReasonName(g.Key), g.Count()))
                .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList());
    }

    private static IReadOnlyList<CitedPiece> MostCited(IReadOnlyList<LoggedQuestion> questions, ArchiveCatalog? catalog, int max) =>
        questions.SelectMany(q => q.CitedArticleIds.Distinct(StringComparer.Ordinal))
            .GroupBy(id => id, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(max)
            .Select(g =>
            {
                var article = catalog?.FindById(g.Key);
                return new CitedPiece(g.Key, article?.Title, article?.Authors ?? [], article?.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), article?.Url, g.Count());
            })
            .ToList();

    private static ArticleReference Reference(string id, ArchiveCatalog? catalog) =>
        catalog?.FindById(id) is { } article ? new ArticleReference(id, article.Title, article.Url) : new ArticleReference(id, null, null);

    /// <summary>Titles come from the index; a report still works (ids only) when the index cannot be read.</summary>
    private async Task<ArchiveCatalog?> CatalogAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClippingsException ex)
        {
            _logger.LogWarning("Insights without article titles: the index cannot be read: {Reason}", ex.Message);
            return null;
        }
    }

    public static string ReasonName(RefusalReason reason) => reason switch
    {
        RefusalReason.NotAQuestion => "not-a-question",
        RefusalReason.MissingArticle => "missing-article",
        RefusalReason.FalsePremise => "false-premise",
        RefusalReason.AbsentName => "absent-name",
        _ => "nothing-found",
    };
}
