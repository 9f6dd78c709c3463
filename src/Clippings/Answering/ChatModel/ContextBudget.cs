using Microsoft.ML.Tokenizers;

namespace Clippings.Answering.ChatModel;

/// <summary>
/// Fits passages to the model's context window by counting tokens with the cl100k_base tokenizer
/// (Microsoft.ML.Tokenizers; its data ships in a package, so nothing is downloaded). It is exact for GPT-3.5/4
/// and close for other models (o200k and Llama-family tokenizers usually need fewer tokens for English prose),
/// so a margin is kept rather than trusting the count to the last token.
/// </summary>
public sealed class ContextBudget
{
    /// <summary>Share of the window kept free for the tokenizer mismatch of non-OpenAI models and chat framing.</summary>
    public const double SafetyMargin = 0.10;

    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    public ContextBudget(int contextWindowTokens) => ContextWindowTokens = contextWindowTokens;

    public int ContextWindowTokens { get; }

    public static int CountTokens(string text) => string.IsNullOrEmpty(text) ? 0 : SharedTokenizer.Value.CountTokens(text);

    /// <summary>Tokens left for passages once the fixed prompt parts and the answer's own allowance are taken.</summary>
    public int AvailableForPassages(int fixedPromptTokens, int answerTokens) =>
        (int)(ContextWindowTokens * (1 - SafetyMargin)) - fixedPromptTokens - answerTokens;

    /// <summary>
    /// How many of the items (best first) fit in <paramref name="available"/> tokens, stopping at the first that does
    /// not fit (so the order stays best first). The first item is always kept: an answer needs at least one passage.
    /// </summary>
    public static int CountThatFit(IReadOnlyList<string> items, int available)
    {
        var used = 0;
        for (var i = 0; i < items.Count; i++)
        {
            used += CountTokens(items[i]);
            if (used > available)
            {
                return Math.Max(1, i);
            }
        }

        return items.Count;
    }
}
