using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>What the question is about: the phrase after "about", "regarding", "concerning", up to a clause or the end.</summary>
public sealed partial class AboutPhraseRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var match = TopicPhrase().Match(draft.Text);
        if (match.Success)
        {
            draft.AboutPhrase = match.Groups["topic"].Value;
        }
    }

    // "… about the new airport?", "… regarding X, and …": the phrase a question is about, up to a clause or the end.
    [GeneratedRegex(@"\b(?:about|regarding|concerning)\s+(?<topic>[^?.!;,]+?)(?:\s+(?:and|but|or|in|since|before|after|during|between|from|until)\s+(?:what|when|who|how|why|where|did|does|is|was|\d)|[?.!;,]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex TopicPhrase();
}
