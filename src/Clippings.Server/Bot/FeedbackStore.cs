using Clippings.Insights;
using Microsoft.Bot.Builder;
using Microsoft.Extensions.Logging;

namespace Clippings.Server.Bot;

/// <summary>A reader's thumbs up or down on one answer, with what they wrote and the question that was answered.</summary>
public sealed class AnswerFeedback
{
    public string Channel { get; set; } = "";
    public string ConversationId { get; set; } = "";
    public string? ReplyToId { get; set; }
    public string Reaction { get; set; } = "";
    public string? Comment { get; set; }
    public string? Question { get; set; }
    public List<string> CitedArticleIds { get; set; } = [];
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>Stores feedback in the bot's <see cref="IStorage"/> (under <c>feedback/…</c>) and logs it as a structured event.</summary>
public sealed class FeedbackStore
{
    public const string KeyPrefix = "feedback/";

    private readonly IStorage _storage;
    private readonly ILogger<FeedbackStore> _logger;
    private readonly QuestionLog? _questions;

    public FeedbackStore(IStorage storage, ILogger<FeedbackStore> logger, QuestionLog? questions = null)
    {
        _questions = questions;
        _storage = storage;
        _logger = logger;
    }

    /// <summary>One record per answer and reader: a second click (changing thumbs up to down) replaces the first.</summary>
    public static string KeyFor(string channel, string conversationId, string? replyToId) =>
        $"{KeyPrefix}{channel}/{conversationId}/{replyToId ?? "unknown"}";

    public async Task<AnswerFeedback?> FindAsync(string channel, string conversationId, string? replyToId, CancellationToken cancellationToken)
    {
        var key = KeyFor(channel, conversationId, replyToId);
        var items = await _storage.ReadAsync([key], cancellationToken);
        return items.TryGetValue(key, out var value)
            ? value as AnswerFeedback ?? (value as Newtonsoft.Json.Linq.JObject)?.ToObject<AnswerFeedback>()
            : null;
    }

    public async Task<string> SaveAsync(AnswerFeedback feedback, CancellationToken cancellationToken)
    {
        var key = KeyFor(feedback.Channel, feedback.ConversationId, feedback.ReplyToId);
        await _storage.WriteAsync(new Dictionary<string, object> { [key] = feedback }, cancellationToken);
        _logger.LogInformation(
            "Feedback {Reaction} on answer {ReplyToId} to {Question} in {Channel}: {Comment}",
            feedback.Reaction, feedback.ReplyToId, feedback.Question, feedback.Channel, feedback.Comment);
        if (_questions is not null)
        {
            // Editors' insights get the rating without the conversation: the key is stored only as a hash.
            await _questions.RecordRatingAsync(key, new LoggedRating(feedback.ReceivedAt, feedback.Channel, feedback.Reaction, feedback.Comment, feedback.Question, feedback.CitedArticleIds));
        }

        return key;
    }
}
