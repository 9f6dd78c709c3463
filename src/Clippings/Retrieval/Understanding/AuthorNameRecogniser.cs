namespace Clippings.Retrieval.Understanding;

/// <summary>
/// Authors of the archive named in the question, in any case, by last name when unambiguous, or past a typo (and then the
/// reader is told how the name was read). Each starts as the writer of what is asked for; later steps may change the role.
/// </summary>
public sealed class AuthorNameRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        draft.Names = NameRecogniser.Find(draft.Text, draft.Catalog);
        foreach (var match in draft.Names)
        {
            draft.Claim(match.Start, match.End, nameof(AuthorNameRecogniser));
            draft.SetRole(match.Author, AuthorRoleKind.Wrote);
            if (match.Corrected)
            {
                draft.Notes.Add($"Reading “{match.Typed}” as {match.Author}.");
            }
        }
    }
}
