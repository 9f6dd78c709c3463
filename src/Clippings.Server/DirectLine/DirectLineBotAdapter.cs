using System.Globalization;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Logging;

namespace Clippings.Server.DirectLine;

/// <summary>
/// Runs the host's bot for Direct Line conversations: instead of calling a channel's REST API, the bot's
/// replies (sends, updates, deletes) go straight into the conversation's feed, where Web Chat polls for them.
/// </summary>
public sealed class DirectLineBotAdapter : BotAdapter
{
    public const string ChannelId = "directline";

    private readonly IDirectLineConversationStore _conversations;
    private readonly ILogger<DirectLineBotAdapter> _logger;

    public DirectLineBotAdapter(IDirectLineConversationStore conversations, ILogger<DirectLineBotAdapter> logger)
    {
        _conversations = conversations;
        _logger = logger;
        OnTurnError = async (turnContext, exception) =>
        {
            _logger.LogError(exception, "Bot turn failed in Direct Line conversation {ConversationId}", turnContext.Activity.Conversation?.Id);
            await turnContext.SendActivityAsync("Sorry, something went wrong while answering. Please try again.").ConfigureAwait(false);
        };
    }

    /// <summary>Runs one bot turn for an activity that is already in (or, for conversationUpdate, about) the conversation.</summary>
    public async Task RunTurnAsync(Activity activity, BotCallbackHandler callback, CancellationToken cancellationToken)
    {
        using var turnContext = new TurnContext(this, activity);
        await RunPipelineAsync(turnContext, callback, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<ResourceResponse[]> SendActivitiesAsync(ITurnContext turnContext, Activity[] activities, CancellationToken cancellationToken)
    {
        var responses = new ResourceResponse[activities.Length];
        for (var i = 0; i < activities.Length; i++)
        {
            var activity = activities[i];
            if (activity.Type == ActivityTypesEx.Delay)
            {
                var delayMs = activity.Value is IConvertible ms ? ms.ToInt32(CultureInfo.InvariantCulture) : 1000;
                await Task.Delay(Math.Clamp(delayMs, 0, 10_000), cancellationToken).ConfigureAwait(false);
                responses[i] = new ResourceResponse();
                continue;
            }

            if (activity.Type == ActivityTypesEx.InvokeResponse)
            {
                // Direct Line has no invoke replies; keep it where the bot framework looks for it.
                turnContext.TurnState.Add(InvokeResponseKey, activity);
                responses[i] = new ResourceResponse();
                continue;
            }

            var conversation = await FindConversationAsync(activity, cancellationToken).ConfigureAwait(false);
            activity.ChannelId ??= ChannelId;
            activity.Timestamp ??= DateTimeOffset.UtcNow;
            activity.From ??= turnContext.Activity.Recipient;
            activity.Recipient ??= turnContext.Activity.From;
            activity.Id = null;
            responses[i] = new ResourceResponse(await conversation.AppendAsync(activity, cancellationToken).ConfigureAwait(false));
        }

        return responses;
    }

    public override async Task<ResourceResponse> UpdateActivityAsync(ITurnContext turnContext, Activity activity, CancellationToken cancellationToken)
    {
        var conversation = await FindConversationAsync(activity, cancellationToken).ConfigureAwait(false);
        activity.Timestamp ??= DateTimeOffset.UtcNow;
        if (!await conversation.ReplaceAsync(activity, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogWarning("Bot updated activity {ActivityId} that is no longer in conversation {ConversationId}", activity.Id, conversation.Id);
        }

        return new ResourceResponse(activity.Id);
    }

    public override async Task DeleteActivityAsync(ITurnContext turnContext, ConversationReference reference, CancellationToken cancellationToken)
    {
        if (await _conversations.FindAsync(reference.Conversation.Id, cancellationToken).ConfigureAwait(false) is { } conversation)
        {
            await conversation.RemoveAsync(reference.ActivityId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IDirectLineConversation> FindConversationAsync(Activity activity, CancellationToken cancellationToken) =>
        await _conversations.FindAsync(activity.Conversation?.Id ?? "", cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"Direct Line conversation '{activity.Conversation?.Id}' has expired.");
}
