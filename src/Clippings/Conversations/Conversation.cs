using Clippings.Answering;

namespace Clippings.Conversations;

/// <summary>One question and the answer it got.</summary>
public sealed record ConversationTurn(string Question, Answer Answer);

/// <summary>
/// What the core needs of a conversation: previous turns (for follow-ups) and the article the
/// conversation is scoped to, when it was opened from an article page.
/// </summary>
public sealed record Conversation(IReadOnlyList<ConversationTurn> Turns, string? ScopedArticleId = null)
{
    public static readonly Conversation Empty = new([], null);

    /// <summary>How many turns are kept for follow-up resolution.</summary>
    public const int MaxTurns = 8;

    public Conversation With(ConversationTurn turn)
    {
        var turns = Turns.Count >= MaxTurns ? Turns.Skip(Turns.Count - MaxTurns + 1).Append(turn).ToList() : Turns.Append(turn).ToList();
        return this with { Turns = turns };
    }
}
