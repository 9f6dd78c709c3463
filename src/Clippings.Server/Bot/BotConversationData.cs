using System.Text.Json;
using Clippings.Conversations;

namespace Clippings.Server.Bot;

/// <summary>
/// What the bot keeps per conversation in Bot Framework state (memory or a persistent <c>IStorage</c>).
/// The core's turns are kept as their System.Text.Json form so the store needs no knowledge of core types.
/// </summary>
public sealed class BotConversationData
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The previous turns (<see cref="Conversation.Turns"/>) as JSON, for follow-ups.</summary>
    public string? TurnsJson { get; set; }

    /// <summary>The article this conversation discusses ("Discuss this article"), or null for the whole archive.</summary>
    public string? ScopedArticleId { get; set; }

    /// <summary>The bot's recent answers, so feedback on one can be stored with the question it answered.</summary>
    public List<AnsweredMessage> Answers { get; set; } = [];

    public const int MaxAnswersKept = 20;

    public Conversation ToConversation()
    {
        var turns = string.IsNullOrEmpty(TurnsJson)
            ? []
            : JsonSerializer.Deserialize<List<ConversationTurn>>(TurnsJson, JsonOptions) ?? [];
        return new Conversation(turns, ScopedArticleId);
    }

    public void Remember(Conversation conversation)
    {
        TurnsJson = conversation.Turns.Count == 0 ? null : JsonSerializer.Serialize(conversation.Turns, JsonOptions);
        ScopedArticleId = conversation.ScopedArticleId;
    }

    public void RememberAnswer(AnsweredMessage answered)
    {
        Answers.Add(answered);
        if (Answers.Count > MaxAnswersKept)
        {
            Answers.RemoveRange(0, Answers.Count - MaxAnswersKept);
        }
    }
}

/// <summary>One answer the bot sent: its activity id, the question, and the articles it cited.</summary>
public sealed class AnsweredMessage
{
    public string? ActivityId { get; set; }
    public string Question { get; set; } = "";
    public bool Refused { get; set; }
    public List<string> CitedArticleIds { get; set; } = [];
}
