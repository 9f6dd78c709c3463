using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// One written phrasing of a question kind: <see cref="Text"/> as written, <see cref="Masked"/> with its names
/// (in [brackets] in the file) replaced by <see cref="NearestExemplarIntentClassifier.StandInName"/>.
/// </summary>
public sealed record IntentExemplar(QuestionIntent Intent, string Text, string Masked)
{
    public IntentExemplar(QuestionIntent intent, string text)
        : this(intent, text, text)
    {
    }
}

/// <summary>
/// The kind a question was read as by its nearest exemplars: <see cref="Share"/> is the winner's part of the k neighbours'
/// similarity (1 = all k agree), <see cref="Margin"/> the winner's best cosine minus the best cosine of any other kind,
/// <see cref="Similarity"/> the best cosine of all, and <see cref="NearestExemplar"/> the phrasing it came closest to.
/// </summary>
public sealed record IntentVote(QuestionIntent Intent, double Share, double Margin, double Similarity, string NearestExemplar);

/// <summary>How many neighbours vote and when the vote is too weak to be taken (<see cref="NearestExemplarIntentClassifier.ClassifyAsync"/> abstains).</summary>
public sealed record IntentVoteRules
{
    /// <summary>Chosen with <c>bench intents</c> on the labelled set of three archives (README, Evaluation: question kinds).</summary>
    public static IntentVoteRules Default { get; } = new();

    /// <summary>Neighbours that vote.</summary>
    public int K { get; init; } = 7;

    /// <summary>The winner's least share of the neighbours' similarity (0–1); below it the classifier abstains.</summary>
    public double MinShare { get; init; }

    /// <summary>
    /// The least lead of the winner's nearest exemplar over the nearest exemplar of any other kind (cosine, centred); below it
    /// the classifier abstains. 0.1 kept the questions read as a kind they did not ask for to 2 of 130 (README).
    /// </summary>
    public double MinMargin { get; init; } = 0.1;

    /// <summary>The least cosine to the nearest exemplar; below it the question is like none of them and the classifier abstains.</summary>
    public double MinSimilarity { get; init; }

    /// <summary>
    /// Take the exemplars' mean out of every vector before comparing: what all questions share ("a short question to an
    /// archive") otherwise outweighs what tells their kinds apart, and short generic exemplars become everyone's nearest.
    /// </summary>
    public bool Centred { get; init; } = true;

    /// <summary>
    /// Replace the names in exemplars and questions by one stand-in name before embedding: otherwise a question's name pulls it
    /// to exemplars with a similar-looking name ("maria lopez" to "ana ruiz") whatever they ask. The question's names are the
    /// caller's (the name recogniser's typed names); a question classified without them keeps its names.
    /// </summary>
    public bool MaskNames { get; init; } = true;
}

/// <summary>
/// The question's kind by k-nearest-neighbour vote over embeddings of written exemplar phrasings
/// (<c>intent-exemplars.txt</c>, embedded in the assembly), with the archive's own embedding generator.
/// Patterns only know the phrasings someone wrote a rule for; nearest neighbours also take the ones that are merely
/// close to an exemplar ("any essays on grief?" beside "any articles about flooding?"), and abstain when the question
/// is close to none or to several kinds alike, so a pattern can decide. The exemplars are embedded once, on first use.
/// </summary>
public sealed partial class NearestExemplarIntentClassifier : IDisposable
{
    private const string ResourceName = "Clippings.Retrieval.Understanding.intent-exemplars.txt";

    /// <summary>What every name becomes when names are masked: an ordinary two-word name no exemplar uses.</summary>
    public const string StandInName = "alex morgan";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _prefix;
    private readonly Func<string, CancellationToken, Task<ReadOnlyMemory<float>>>? _embedQuestion;
    private float[][]? _vectors;
    private float[]? _mean;

    /// <param name="prefix">
    /// Put in front of exemplars and questions alike (e.g. the model's query prefix, so the search's query embedding could be
    /// reused); none by default.
    /// </param>
    /// <param name="embedQuestion">
    /// Embeds a question with <paramref name="prefix"/> in front, when the caller already embeds questions that way (the
    /// archive's query embedder, which remembers recent questions, so the vote and the search share one model call).
    /// </param>
    public NearestExemplarIntentClassifier(IEmbeddingGenerator<string, Embedding<float>> generator, IntentVoteRules? rules = null, IReadOnlyList<IntentExemplar>? exemplars = null, string prefix = "", Func<string, CancellationToken, Task<ReadOnlyMemory<float>>>? embedQuestion = null)
    {
        _generator = generator;
        _prefix = prefix;
        _embedQuestion = embedQuestion;
        Rules = rules ?? IntentVoteRules.Default;
        Exemplars = exemplars ?? LoadExemplars();
        if (Exemplars.Count == 0)
        {
            throw new ClippingsException("The intent classifier was given no exemplars.");
        }

        if (Rules.K < 1)
        {
            throw new ClippingsException($"The intent classifier's K is {Rules.K}; it must be at least 1.");
        }
    }

    public IntentVoteRules Rules { get; }

    public IReadOnlyList<IntentExemplar> Exemplars { get; }

    /// <summary>The exemplars shipped in the assembly.</summary>
    public static IReadOnlyList<IntentExemplar> LoadExemplars()
    {
        using var stream = typeof(NearestExemplarIntentClassifier).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new ClippingsException($"The intent exemplars ({ResourceName}) are missing from the Clippings assembly; rebuild it.");
        using var reader = new StreamReader(stream);
        return ParseExemplars(reader.ReadToEnd());
    }

    /// <summary>"Intent: phrasing" per line; blank lines and lines starting with # are skipped.</summary>
    public static IReadOnlyList<IntentExemplar> ParseExemplars(string text)
    {
        var exemplars = new List<IntentExemplar>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !Enum.TryParse<QuestionIntent>(line[..colon].Trim(), ignoreCase: false, out var intent) || line[(colon + 1)..].Trim().Length == 0)
            {
                throw new ClippingsException($"Intent exemplar line {lineNumber} is not 'Intent: phrasing' with one of {string.Join(", ", Enum.GetNames<QuestionIntent>())}: {line}");
            }

            var phrasing = line[(colon + 1)..].Trim();
            exemplars.Add(new IntentExemplar(intent, BracketedName().Replace(phrasing, "${name}"), BracketedName().Replace(phrasing, StandInName)));
        }

        return exemplars;
    }

    /// <summary>The kind the nearest exemplars vote for, or null when the vote is weaker than <see cref="Rules"/> allow.</summary>
    public Task<IntentVote?> ClassifyAsync(string question, CancellationToken cancellationToken) =>
        ClassifyAsync(question, [], cancellationToken);

    /// <summary>As <see cref="ClassifyAsync(string, CancellationToken)"/>, with the names the question uses (as typed) masked.</summary>
    public async Task<IntentVote?> ClassifyAsync(string question, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var vote = await VoteAsync(question, names, cancellationToken).ConfigureAwait(false);
        return IsConfident(vote, Rules) ? vote : null;
    }

    /// <summary>The vote whatever its strength (for measuring; hosts want <see cref="ClassifyAsync(string, CancellationToken)"/>).</summary>
    public Task<IntentVote> VoteAsync(string question, CancellationToken cancellationToken) => VoteAsync(question, [], cancellationToken);

    public async Task<IntentVote> VoteAsync(string question, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        Vote(await SimilaritiesAsync(question, names, cancellationToken).ConfigureAwait(false), Rules.K);

    /// <summary>Whether a vote is strong enough under the given rules.</summary>
    public static bool IsConfident(IntentVote vote, IntentVoteRules rules) =>
        vote.Share >= rules.MinShare && vote.Margin >= rules.MinMargin && vote.Similarity >= rules.MinSimilarity;

    /// <summary>Cosine of the question to every exemplar, in exemplar order (for measuring several rules on one embedding).</summary>
    public async Task<double[]> SimilaritiesAsync(string question, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var exemplarVectors = await ExemplarVectorsAsync(cancellationToken).ConfigureAwait(false);
        var text = Rules.MaskNames ? Mask(question, names) : question;
        var vector = _embedQuestion is not null
            ? await _embedQuestion(text, cancellationToken).ConfigureAwait(false)
            : (await _generator.GenerateAsync([_prefix + text], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector;
        return Similarities(exemplarVectors, Centre(Normalized(vector.Span)));
    }

    /// <summary>
    /// The k most similar exemplars vote with their cosine; the winner's share of the votes, its lead over the nearest
    /// exemplar of another kind and the top cosine say how sure the vote is.
    /// </summary>
    public IntentVote Vote(double[] similarities, int k)
    {
        var order = Enumerable.Range(0, similarities.Length).OrderByDescending(i => similarities[i]).ToArray();
        var scores = new Dictionary<QuestionIntent, double>();
        var total = 0.0;
        foreach (var i in order.Take(Math.Min(k, order.Length)))
        {
            // Cosines of this model sit well above zero even for unrelated texts; a negative one would only lower a score.
            var weight = Math.Max(0, similarities[i]);
            scores[Exemplars[i].Intent] = scores.GetValueOrDefault(Exemplars[i].Intent) + weight;
            total += weight;
        }

        // Ties go to the kind whose exemplar is nearest.
        var winner = scores.OrderByDescending(s => s.Value).ThenBy(s => Array.FindIndex(order, i => Exemplars[i].Intent == s.Key)).First().Key;
        var bestOwn = order.First(i => Exemplars[i].Intent == winner);
        var bestOther = order.Cast<int?>().FirstOrDefault(i => Exemplars[i!.Value].Intent != winner);
        var margin = bestOther is { } other ? similarities[bestOwn] - similarities[other] : 1.0;
        return new IntentVote(winner, total > 0 ? scores[winner] / total : 0, margin, similarities[order[0]], Exemplars[order[0]].Text);
    }

    private async Task<float[][]> ExemplarVectorsAsync(CancellationToken cancellationToken)
    {
        if (_vectors is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_vectors is null)
            {
                var embedded = await _generator.GenerateAsync(Exemplars.Select(e => _prefix + (Rules.MaskNames ? e.Masked : e.Text)), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (embedded.Count != Exemplars.Count)
                {
                    throw new ClippingsException($"The embedding model returned {embedded.Count} vectors for {Exemplars.Count} intent exemplars. Check the embedding provider configuration (Clippings:Embeddings).");
                }

                var vectors = embedded.Select(e => Normalized(e.Vector.Span)).ToArray();
                if (Rules.Centred)
                {
                    var mean = new float[vectors[0].Length];
                    foreach (var vector in vectors)
                    {
                        TensorPrimitives.Add(mean, vector, mean);
                    }

                    TensorPrimitives.Divide(mean, vectors.Length, mean);
                    _mean = mean;
                    vectors = vectors.Select(Centre).ToArray();
                }

                _vectors = vectors;
            }

            return _vectors;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Each name (longest first, whole words, any case) replaced by <see cref="StandInName"/>.</summary>
    internal static string Mask(string question, IReadOnlyList<string> names)
    {
        var result = question;
        foreach (var name in names.Where(n => n.Trim().Length > 1).OrderByDescending(n => n.Length))
        {
            result = Regex.Replace(result, @"(?<![\w])" + Regex.Escape(name.Trim()) + @"(?![\w])", StandInName, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }

        return result;
    }

    [GeneratedRegex(@"\[(?<name>[^\[\]]+)\]")]
    private static partial Regex BracketedName();

    private static double[] Similarities(float[][] exemplars, float[] question)
    {
        var result = new double[exemplars.Length];
        for (var i = 0; i < exemplars.Length; i++)
        {
            result[i] = TensorPrimitives.Dot(exemplars[i], question);
        }

        return result;
    }

    private float[] Centre(float[] vector)
    {
        if (_mean is null)
        {
            return vector;
        }

        var centred = new float[vector.Length];
        TensorPrimitives.Subtract(vector, _mean, centred);
        return Normalized(centred);
    }

    private static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var result = vector.ToArray();
        var norm = TensorPrimitives.Norm(result);
        if (norm > 0)
        {
            TensorPrimitives.Divide(result, norm, result);
        }

        return result;
    }
}
