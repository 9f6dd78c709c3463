using System.Numerics.Tensors;
using Clippings.Embeddings;
using Microsoft.Extensions.AI;

namespace Clippings.Insights;

/// <summary>
/// Joins one question typed several ways ("who wrote about eel grass?", "Who wrote abuot eelgrass") into one group:
/// first by normalized text (case, accents, punctuation), then by the cosine of their embeddings from the app's own
/// embedding generator. Embeddings are cached in the question log, so a question is embedded once however often it is asked.
/// </summary>
/// <remarks>
/// Embeddings alone join questions of one frame about different subjects: "who wrote about the eel grass survey" and
/// "… eel grass restoration funding" have a cosine of 0.95, above a typo's 0.93. So two texts also have to share most
/// letter trigrams of their content words (<see cref="MinimumSharedTrigrams"/>): a typo keeps most (0.75–0.85), another subject does not (0.33).
/// And their numbers must be the same: a question about 2016 is not one about 2019.
/// </remarks>
public sealed class QuestionGrouper
{
    /// <summary>Dice overlap of the content words' letter trigrams two texts need, besides the cosine, to be one question.</summary>
    public const double MinimumSharedTrigrams = 0.5;

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string _space;
    private readonly QuestionLog? _cache;

    public QuestionGrouper(EmbeddingGeneratorFactory.Created embeddings, QuestionLog? cache)
        : this(embeddings.Generator, embeddings.Space.EmbedderId, cache)
    {
    }

    public QuestionGrouper(IEmbeddingGenerator<string, Embedding<float>> generator, string space, QuestionLog? cache)
    {
        _generator = generator;
        _space = space;
        _cache = cache;
    }

    /// <summary>
    /// Groups of questions, biggest first; within a group the questions are in the order they were given.
    /// Each distinct text joins the group whose most asked text it is closest to, when that cosine reaches <paramref name="threshold"/>.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<LoggedQuestion>>> GroupAsync(IReadOnlyList<LoggedQuestion> questions, double threshold, CancellationToken cancellationToken)
    {
        // Indices, not the records: two identical records (same text, same second) are still two questions.
        var byText = questions
            .Select((q, i) => (Index: i, Text: QuestionLog.Normalize(q.Question)))
            .Where(q => q.Text.Length > 0)
            .GroupBy(q => q.Text, StringComparer.Ordinal)
            .Select(g => (Text: g.Key, Members: g.Select(m => m.Index).ToList()))
            .OrderByDescending(g => g.Members.Count)
            .ThenByDescending(g => g.Members.Max(m => questions[m].AskedAt))
            .ThenBy(g => g.Text, StringComparer.Ordinal)
            .ToList();
        if (byText.Count == 0)
        {
            return [];
        }

        var vectors = await EmbedAsync(byText.Select(g => g.Text).ToList(), cancellationToken).ConfigureAwait(false);
        var leaders = new List<(float[] Vector, HashSet<string> Trigrams, string Numbers)>();
        var groups = new List<List<int>>();
        foreach (var (text, members) in byText)
        {
            var vector = vectors[text];
            var trigrams = ContentTrigrams(text);
            var numbers = Numbers(text);
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < leaders.Count; i++)
            {
                var score = TensorPrimitives.CosineSimilarity(vector, leaders[i].Vector);
                if (score > bestScore && score >= threshold && numbers == leaders[i].Numbers && Dice(trigrams, leaders[i].Trigrams) >= MinimumSharedTrigrams)
                {
                    (best, bestScore) = (i, score);
                }
            }

            if (best >= 0)
            {
                groups[best].AddRange(members);
            }
            else
            {
                leaders.Add((vector, trigrams, numbers));
                groups.Add([.. members]);
            }
        }

        return groups
            .Select(g => (IReadOnlyList<LoggedQuestion>)g.Order().Select(i => questions[i]).ToList())
            .OrderByDescending(g => g.Count)
            .ThenByDescending(g => g.Max(q => q.AskedAt))
            .ToList();
    }

    /// <summary>The cosine of two questions' embeddings as grouping sees them (for tuning the threshold).</summary>
    public async Task<double> SimilarityAsync(string first, string second, CancellationToken cancellationToken)
    {
        var a = QuestionLog.Normalize(first);
        var b = QuestionLog.Normalize(second);
        var vectors = await EmbedAsync(a == b ? [a] : [a, b], cancellationToken).ConfigureAwait(false);
        return TensorPrimitives.CosineSimilarity(vectors[a], vectors[b]);
    }

    /// <summary>Dice coefficient of the two texts' content-word letter trigrams (stop words and question words such as "wrote" out, stems run together so "eel grass" = "eelgrass").</summary>
    public static double SharedTrigrams(string first, string second) => Dice(ContentTrigrams(QuestionLog.Normalize(first)), ContentTrigrams(QuestionLog.Normalize(second)));

    private static string Numbers(string text) =>
        string.Join(' ', text.Split(' ').Where(t => t.Any(char.IsDigit)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static HashSet<string> ContentTrigrams(string text)
    {
        var letters = string.Concat(Text.LexicalAnalyzer.Tokenize(text).Where(t => !TopicCounter.Generic.Contains(t)).SelectMany(Text.LexicalAnalyzer.Analyze));
        var trigrams = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= letters.Length; i++)
        {
            trigrams.Add(letters.Substring(i, 3));
        }

        if (trigrams.Count == 0 && letters.Length > 0)
        {
            trigrams.Add(letters);
        }

        return trigrams;
    }

    private static double Dice(HashSet<string> a, HashSet<string> b) =>
        a.Count + b.Count == 0 ? 1 : 2.0 * a.Count(b.Contains) / (a.Count + b.Count);

    private async Task<Dictionary<string, float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var vectors = _cache is null ? [] : await _cache.ReadVectorsAsync(texts, _space, cancellationToken).ConfigureAwait(false);
        var missing = texts.Where(t => !vectors.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            var embedded = await _generator.GenerateAsync(missing, cancellationToken: cancellationToken).ConfigureAwait(false);
            var fresh = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var i = 0; i < missing.Count; i++)
            {
                fresh[missing[i]] = embedded[i].Vector.ToArray();
            }

            if (_cache is not null)
            {
                await _cache.SaveVectorsAsync(fresh, _space).ConfigureAwait(false);
            }

            foreach (var (text, vector) in fresh)
            {
                vectors[text] = vector;
            }
        }

        return vectors;
    }
}
