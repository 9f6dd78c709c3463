using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.Logging;

namespace Clippings.Server.Bot;

/// <summary>The Bot Framework adapter: errors in a turn are logged and the user gets one plain sentence, never a stack trace.</summary>
internal sealed class ClippingsBotAdapter : CloudAdapter
{
    // The base class logs every activity at Information: it gets the Bot Framework's own category, so the usual
    // "Microsoft": "Warning" level override quiets it, while turn errors are logged under this class.
    public ClippingsBotAdapter(BotFrameworkAuthentication authentication, ILoggerFactory loggerFactory, ILogger<ClippingsBotAdapter> logger)
        : base(authentication, loggerFactory.CreateLogger<CloudAdapter>())
    {
        OnTurnError = async (turnContext, exception) =>
        {
            logger.LogError(exception, "Bot turn failed for {ActivityType} in conversation {ConversationId}", turnContext.Activity.Type, turnContext.Activity.Conversation?.Id);
            if (turnContext.Activity.Type == Microsoft.Bot.Schema.ActivityTypes.Message)
            {
                var message = exception is ClippingsException
                    ? "Sorry, I can't reach the archive right now: " + exception.Message
                    : "Sorry, something went wrong while answering. Please try again.";
                try
                {
                    await turnContext.SendActivityAsync(message);
                }
                catch (Exception sendFailure) when (sendFailure is HttpRequestException or OperationCanceledException or Microsoft.Bot.Schema.ErrorResponseException)
                {
                    // The channel itself is unreachable: nothing more to tell the user.
                    logger.LogWarning("Could not tell the user about the failure either: {Reason}", sendFailure.Message);
                }
            }
        };
    }
}
