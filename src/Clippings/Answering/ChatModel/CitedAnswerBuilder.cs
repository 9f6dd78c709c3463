using System.Text;
using System.Text.RegularExpressions;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Text;

namespace Clippings.Answering.ChatModel;

/// <summary>
/// Checks a chat model's answer as it streams: each <c>[n]</c> marker pointing to a supplied passage becomes a
/// citation with the exact quote (the passage sentence that best supports the claim before it, with offsets into
/// the article) and is renumbered densely in order of first use; markers pointing to no passage are removed with
/// the space before them. A marker split across chunks ("[" then "2]") is held back until it is complete, so the
/// streamed text equals the final text.
/// </summary>
internal sealed partial class CitedAnswerBuilder
{
    private const int MaxClaimChars = 400;

    private readonly IReadOnlyList<PassageHit> _sources;
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _text = new();
    private readonly List<Citation> _citations = [];
    private readonly Dictionary<(int Source, int Start), int> _numbers = [];
    private int _lastMarkerEnd;
    private string _lastClaim = "";

    /// <param name="sources">The passages as numbered in the prompt: marker [n] refers to sources[n - 1].</param>
    public CitedAnswerBuilder(IReadOnlyList<PassageHit> sources) => _sources = sources;

    /// <summary>Markers the model wrote that point to no supplied passage (removed from the text).</summary>
    public int DroppedMarkers { get; private set; }

    public IReadOnlyList<Citation> Citations => _citations;

    /// <summary>The checked text so far (what has been returned by <see cref="Append"/> and <see cref="Flush"/>).</summary>
    public string Text => _text.ToString();

    /// <summary>Adds a chunk of model output; returns the checked text that can be shown now.</summary>
    public string Append(string chunk)
    {
        _pending.Append(chunk);
        return Drain(final: false);
    }

    /// <summary>Ends the answer: whatever was held back (an unfinished "[12") is released as text.</summary>
    public string Flush() => Drain(final: true);

    private string Drain(bool final)
    {
        var input = _pending.ToString();
        var output = new StringBuilder();
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c == '[' || char.IsWhiteSpace(c))
            {
                var marker = Marker().Match(input, i);
                if (marker.Success)
                {
                    output.Append(Resolve(marker));
                    i += marker.Length;
                    continue;
                }

                if (!final && PartialMarker().IsMatch(input, i))
                {
                    break;
                }
            }

            output.Append(c);
            _text.Append(c);
            i++;
        }

        _pending.Remove(0, i);
        return output.ToString();
    }

    private string Resolve(Match marker)
    {
        var claim = CurrentClaim();
        var numbers = new List<int>();
        foreach (var part in marker.Groups["numbers"].Value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var n = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            if (n < 1 || n > _sources.Count)
            {
                DroppedMarkers++;
                continue;
            }

            var number = NumberFor(n - 1, claim);
            if (!numbers.Contains(number))
            {
                numbers.Add(number);
            }
        }

        if (numbers.Count == 0)
        {
            return "";
        }

        var text = marker.Groups["space"].Value + string.Concat(numbers.Select(n => $"[{n}]"));
        _text.Append(text);
        _lastMarkerEnd = _text.Length;
        return text;
    }

    /// <summary>One citation per (passage, supporting sentence): two claims resting on the same sentence share a number.</summary>
    private int NumberFor(int sourceIndex, string claim)
    {
        var hit = _sources[sourceIndex];
        var sentence = SupportingSentence(hit, claim);
        var key = (sourceIndex, sentence.Start);
        if (_numbers.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var n = _citations.Count + 1;
        _citations.Add(CitationFormatting.FromSentence(n, hit, sentence));
        _numbers[key] = n;
        return n;
    }

    /// <summary>The sentence of the passage that best supports the claim (relative offsets, clipped like extractive quotes).</summary>
    internal static SentenceSpan SupportingSentence(PassageHit hit, string claim)
    {
        var picked = ExtractiveAnswerComposer.PickSentences(claim, [new ArticleMatch(hit.Article, 1, [hit])], 1);
        if (picked.Count > 0)
        {
            return picked[0].Sentence;
        }

        var sentences = SentenceSplitter.Split(hit.Text);
        return CitationFormatting.Clip(sentences.Count > 0 ? sentences[0] : new SentenceSpan(0, hit.Text.Length, hit.Text));
    }

    /// <summary>The claim a marker cites: the last sentence written since the previous marker (or that marker's claim).</summary>
    private string CurrentClaim()
    {
        var since = _text.ToString(_lastMarkerEnd, _text.Length - _lastMarkerEnd).TrimEnd();
        if (since.Length > MaxClaimChars)
        {
            since = since[^MaxClaimChars..];
        }

        var body = since.TrimEnd('.', '!', '?', ';', ':', ',', '”', '"', ')');
        var boundary = SentenceBoundary().Matches(body).LastOrDefault();
        var claim = (boundary is null ? body : body[(boundary.Index + boundary.Length)..]).Trim();
        if (claim.Any(char.IsLetterOrDigit))
        {
            _lastClaim = claim;
        }

        return _lastClaim;
    }

    [GeneratedRegex(@"\G(?<space>\s*)\[\s*(?<numbers>\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]")]
    private static partial Regex Marker();

    /// <summary>What could still become a marker when more text arrives: trailing whitespace, "[", "[1", "[1, ".</summary>
    [GeneratedRegex(@"\G\s*(?:\[[\d,;\s]{0,24})?\z")]
    private static partial Regex PartialMarker();

    [GeneratedRegex(@"[.!?][”""’')]*\s+|\n")]
    private static partial Regex SentenceBoundary();
}
