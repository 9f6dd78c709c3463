using Stopwatch = System.Diagnostics.Stopwatch;
using System.Text;
using System.Text.RegularExpressions;
using Clippings.Answering;
using Clippings.Archive;
using Clippings.Conversations;
using Clippings.Insights;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Teams;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;
using Serilog.Context;

namespace Clippings.Server.Bot;

/// <summary>
/// The Clippings bot, for Teams (personal, group chat, channels), Web Chat and any Bot Framework channel:
/// a welcome with example questions, cited answers from <see cref="ArchiveAssistant"/>, follow-ups through
/// conversation state, article-scoped conversations, <c>help</c> and <c>reset</c>, feedback, Teams streaming.
/// </summary>
internal sealed partial class ClippingsBot : TeamsActivityHandler
{
    /// <summary>Event a page sends to scope the conversation to an article: <c>value: { articleUrl }</c> or <c>{ articleId }</c>.</summary>
    public const string ScopeEventName = "clippings/scope";

    /// <summary>The event Web Chat posts when a reader clicks a LikeAction/DislikeAction of an answer.</summary>
    public const string WebChatFeedbackEventName = "webchat:activity-status/feedback";

    public const string TeamsFeedbackInvokeName = "message/submitAction";

    private readonly ArchiveAssistant _assistant;
    private readonly ConversationState _conversationState;
    private readonly IStatePropertyAccessor<BotConversationData> _data;
    private readonly FeedbackStore _feedback;
    private readonly BotOptions _options;
    private readonly ILogger<ClippingsBot> _logger;
    private readonly QuestionLog _questions;

    public ClippingsBot(ArchiveAssistant assistant, ConversationState conversationState, FeedbackStore feedback, IOptions<BotOptions> options, ILogger<ClippingsBot> logger, QuestionLog questions)
    {
        _questions = questions;
        _assistant = assistant;
        _conversationState = conversationState;
        _data = conversationState.CreateProperty<BotConversationData>(nameof(BotConversationData));
        _feedback = feedback;
        _options = options.Value;
        _logger = logger;
    }

    public override async Task OnTurnAsync(ITurnContext turnContext, CancellationToken cancellationToken = default)
    {
        var activity = turnContext.Activity;
        using (LogContext.PushProperty("Channel", activity.ChannelId))
        using (LogContext.PushProperty("ConversationId", activity.Conversation?.Id))
        {
            await base.OnTurnAsync(turnContext, cancellationToken);
            await _conversationState.SaveChangesAsync(turnContext, force: false, cancellationToken);
        }
    }

    /// <summary>The Teams handler looks up every added member's profile first; the welcome needs none, so skip that call.</summary>
    protected override Task OnTeamsMembersAddedDispatchAsync(IList<ChannelAccount> membersAdded, Microsoft.Bot.Schema.Teams.TeamInfo teamInfo, ITurnContext<IConversationUpdateActivity> turnContext, CancellationToken cancellationToken) =>
        OnMembersAddedAsync(membersAdded, turnContext, cancellationToken);

    protected override async Task OnMembersAddedAsync(IList<ChannelAccount> membersAdded, ITurnContext<IConversationUpdateActivity> turnContext, CancellationToken cancellationToken)
    {
        // In a Teams team or group chat, greet once when the bot is added (not every time a colleague joins);
        // elsewhere the bot is itself one of the members added, so greet when someone else joins.
        var botId = turnContext.Activity.Recipient?.Id;
        var shared = turnContext.Activity.ChannelId == Channels.Msteams && turnContext.Activity.Conversation?.ConversationType is "channel" or "groupChat";
        if (shared ? membersAdded.Any(m => m.Id == botId) : membersAdded.Any(m => m.Id != botId))
        {
            var examples = await _assistant.SampleQuestionsAsync(3, cancellationToken);
            await SendWithSuggestionsAsync(turnContext, await WelcomeAsync(examples, cancellationToken), "Try one:", examples, cancellationToken);
        }
    }

    protected override async Task OnMessageActivityAsync(ITurnContext<IMessageActivity> turnContext, CancellationToken cancellationToken)
    {
        var data = await _data.GetAsync(turnContext, () => new BotConversationData(), cancellationToken);
        var scope = ScopeRequest.From((object?)turnContext.Activity.ChannelData) ?? ScopeRequest.From(turnContext.Activity.Value);
        if (scope is not null)
        {
            await ApplyScopeAsync(turnContext, data, scope, announce: false, cancellationToken);
        }

        var text = QuestionText(turnContext.Activity);
        switch (Command(text))
        {
            case "help":
                await SendHelpAsync(turnContext, data, cancellationToken);
                return;
            case "reset":
                data.TurnsJson = null;
                var kept = data.ScopedArticleId is null ? "" : " We're still discussing the same article.";
                await turnContext.SendActivityAsync(MessageFactory.Text("Conversation cleared: the next question starts afresh." + kept), cancellationToken);
                return;
        }

        if (text.Length == 0)
        {
            if (scope is null)
            {
                await SendHelpAsync(turnContext, data, cancellationToken);
            }

            return;
        }

        await AnswerAsync(turnContext, data, text, cancellationToken);
    }

    protected override async Task OnEventActivityAsync(ITurnContext<IEventActivity> turnContext, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        if (activity.Name == ScopeEventName)
        {
            var data = await _data.GetAsync(turnContext, () => new BotConversationData(), cancellationToken);
            var scope = ScopeRequest.From(activity.Value) ?? ScopeRequest.From((object?)activity.ChannelData);
            if (scope is null)
            {
                _logger.LogWarning("Scope event without articleUrl or articleId");
                return;
            }

            await ApplyScopeAsync(turnContext, data, scope, announce: true, cancellationToken);
        }
        else if (activity.Name == WebChatFeedbackEventName)
        {
            var value = activity.Value as JObject;
            var type = (string?)value?["@type"] ?? (string?)value?["type"];
            var reaction = type switch
            {
                "LikeAction" => "like",
                "DislikeAction" => "dislike",
                _ => null,
            };
            if (reaction is null)
            {
                _logger.LogWarning("Web Chat feedback event with an unknown action {ActionType}", type);
                return;
            }

            await SaveFeedbackAsync(turnContext, activity.ReplyToId, reaction, (string?)value?["feedback"] ?? (string?)value?["description"], cancellationToken);
        }
    }

    protected override async Task<InvokeResponse> OnInvokeActivityAsync(ITurnContext<IInvokeActivity> turnContext, CancellationToken cancellationToken)
    {
        if (turnContext.Activity.Name != TeamsFeedbackInvokeName)
        {
            return await base.OnInvokeActivityAsync(turnContext, cancellationToken);
        }

        var value = turnContext.Activity.Value as JObject;
        if ((string?)value?["actionName"] != "feedback")
        {
            return new InvokeResponse { Status = 400 };
        }

        var reaction = (string?)value["actionValue"]?["reaction"] ?? "unknown";
        await SaveFeedbackAsync(turnContext, turnContext.Activity.ReplyToId, reaction, FeedbackText(value["actionValue"]?["feedback"]), cancellationToken);
        return new InvokeResponse { Status = 200 };
    }

    private async Task AnswerAsync(ITurnContext turnContext, BotConversationData data, string question, CancellationToken cancellationToken)
    {
        var conversation = data.ToConversation();
        var stream = TeamsStream.IsSupported(turnContext.Activity)
            ? await TeamsStream.StartAsync(turnContext, "Searching the archive…", _options.StreamUpdateIntervalMs, cancellationToken)
            : null;
        if (stream is null)
        {
            await turnContext.SendActivityAsync(new Activity { Type = ActivityTypes.Typing }, cancellationToken);
        }

        Answer? answer = null;
        var text = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        await foreach (var update in _assistant.AskStreamingAsync(new AskRequest(question, conversation), cancellationToken))
        {
            if (update.Final is not null)
            {
                answer = update.Final;
            }
            else if (update.TextDelta is not null)
            {
                text.Append(update.TextDelta);
                if (stream is not null)
                {
                    await stream.UpdateAsync(text.ToString(), cancellationToken);
                }
            }
        }

        if (answer is null)
        {
            throw new InvalidOperationException("The assistant finished without an answer.");
        }

        var reply = AnswerActivityFactory.Create(answer, turnContext.Activity.ChannelId, _options.SuggestedActions);
        stream?.MarkFinal(reply);
        var sent = await turnContext.SendActivityAsync(reply, cancellationToken);
        if (AnswerActivityFactory.SendsSuggestionsApart(turnContext.Activity.ChannelId)
            && AnswerActivityFactory.SuggestionsMessage("You could also ask:", answer.SuggestedQuestions, _options.SuggestedActions) is { } suggestions)
        {
            await turnContext.SendActivityAsync(suggestions, cancellationToken);
        }

        data.Remember(conversation.With(new ConversationTurn(question, answer)));
        data.RememberAnswer(new AnsweredMessage
        {
            // A streamed answer is the stream's message: Teams answers its final send without an id (the Agents
            // Playground with 202 and no body), and the message keeps the stream's id.
            ActivityId = string.IsNullOrEmpty(sent?.Id) ? stream?.StreamId : sent.Id,
            Question = question,
            Refused = answer.Refused,
            CitedArticleIds = answer.Citations.Select(c => c.ArticleId).Distinct(StringComparer.Ordinal).ToList(),
        });
        await _questions.RecordAnswerAsync(turnContext.Activity.ChannelId ?? "", question, answer);   // editors' insights: no user id
        _logger.LogInformation(
            "Bot answered in {ElapsedMs} ms with {Citations} citations (refused {Refused}, streamed {Streamed})",
            stopwatch.ElapsedMilliseconds, answer.Citations.Count, answer.Refused, stream is not null);
    }

    private async Task ApplyScopeAsync(ITurnContext turnContext, BotConversationData data, ScopeRequest scope, bool announce, CancellationToken cancellationToken)
    {
        var article = await FindArticleAsync(scope, cancellationToken);
        if (article is null)
        {
            _logger.LogWarning("Scope asked for an article the archive does not hold: {ArticleUrl} {ArticleId}", scope.ArticleUrl, scope.ArticleId);
            if (announce)
            {
                await turnContext.SendActivityAsync(MessageFactory.Text("I couldn't find this article in the archive, so I'll answer from the whole archive."), cancellationToken);
            }

            return;
        }

        if (data.ScopedArticleId != article.Id)
        {
            // A new article starts a new discussion: earlier turns were about something else.
            data.TurnsJson = null;
            data.ScopedArticleId = article.Id;
            _logger.LogInformation("Conversation scoped to article {ArticleId}", article.Id);
        }

        if (announce)
        {
            var byline = CitationFormatting.Describe(article);
            var message = MessageFactory.Text(
                $"Let's discuss **{AnswerActivityFactory.EscapeHtml(article.Title)}**{AnswerActivityFactory.EscapeHtml(byline[article.Title.Length..])}. Ask me what the piece says, what the author means, " +
                "or whether the archive has covered the subject before.");
            message.TextFormat = TextFormatTypes.Markdown;
            await SendWithSuggestionsAsync(turnContext, message, "Ask for example:", ["What is this piece about?", "Who is the author?"], cancellationToken);
        }
    }

    private async Task<ArticleSummary?> FindArticleAsync(ScopeRequest scope, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(scope.ArticleUrl) && await _assistant.FindArticleByUrlAsync(scope.ArticleUrl, cancellationToken) is { } byUrl)
        {
            return byUrl;
        }

        var id = scope.ArticleId ?? scope.ArticleUrl;
        return string.IsNullOrWhiteSpace(id) ? null : (await _assistant.Index.GetArticleAsync(id, cancellationToken))?.ToSummary();
    }

    /// <summary>
    /// Stores a rating with the answer it rates: the one <paramref name="replyToId"/> names, or, when the client sends
    /// no replyToId (the Agents Playground's feedback invoke has none), the conversation's last answer.
    /// </summary>
    private async Task SaveFeedbackAsync(ITurnContext turnContext, string? replyToId, string reaction, string? comment, CancellationToken cancellationToken)
    {
        var data = await _data.GetAsync(turnContext, () => new BotConversationData(), cancellationToken);
        var answered = string.IsNullOrEmpty(replyToId)
            ? data.Answers.LastOrDefault(a => !string.IsNullOrEmpty(a.ActivityId))
            : data.Answers.LastOrDefault(a => a.ActivityId == replyToId);
        await _feedback.SaveAsync(new AnswerFeedback
        {
            Channel = turnContext.Activity.ChannelId ?? "",
            ConversationId = turnContext.Activity.Conversation?.Id ?? "",
            ReplyToId = string.IsNullOrEmpty(replyToId) ? answered?.ActivityId : replyToId,
            Reaction = reaction,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment,
            Question = answered?.Question,
            CitedArticleIds = answered?.CitedArticleIds ?? [],
            ReceivedAt = DateTimeOffset.UtcNow,
        }, cancellationToken);
    }

    /// <summary>
    /// Sends a message with suggestion buttons: on it, or (Teams, <see cref="AnswerActivityFactory.SendsSuggestionsApart"/>)
    /// in a message of its own after it, so the first keeps its Markdown and citations.
    /// </summary>
    private static async Task SendWithSuggestionsAsync(ITurnContext turnContext, IMessageActivity message, string leadIn, IReadOnlyList<string> suggestions, CancellationToken cancellationToken)
    {
        if (!AnswerActivityFactory.SendsSuggestionsApart(turnContext.Activity.ChannelId))
        {
            message.SuggestedActions = AnswerActivityFactory.SuggestedActionsFor(suggestions, suggestions.Count);
            await turnContext.SendActivityAsync(message, cancellationToken);
            return;
        }

        await turnContext.SendActivityAsync(message, cancellationToken);
        if (AnswerActivityFactory.SuggestionsMessage(leadIn, suggestions, suggestions.Count) is { } apart)
        {
            await turnContext.SendActivityAsync(apart, cancellationToken);
        }
    }

    private async Task SendHelpAsync(ITurnContext turnContext, BotConversationData data, CancellationToken cancellationToken)
    {
        var examples = await _assistant.SampleQuestionsAsync(3, cancellationToken);
        await SendWithSuggestionsAsync(turnContext, Help(data), "Try one:", examples, cancellationToken);
    }

    private async Task<IMessageActivity> WelcomeAsync(IReadOnlyList<string> examples, CancellationToken cancellationToken)
    {
        var stats = await _assistant.Index.GetStatsAsync(cancellationToken);
        var text = new StringBuilder()
            .Append($"Hello! I answer questions about the archive ({stats.Articles} articles by {stats.Authors} authors): ")
            .Append("what a piece says, who wrote what and when, and what we've published on a subject. ")
            .Append("Every answer quotes the passages it rests on, with links to the articles.\n\n")
            .Append("Try for example:\n");
        foreach (var example in examples)
        {
            text.Append("- ").Append(example).Append('\n');
        }

        text.Append("\nType **help** for more, **reset** to start over.");
        var message = MessageFactory.Text(text.ToString());
        message.TextFormat = TextFormatTypes.Markdown;
        return message;
    }

    private static IMessageActivity Help(BotConversationData data)
    {
        var text = new StringBuilder()
            .Append("Ask me about the archive in plain words:\n")
            .Append("- a piece or a subject (\"what did we publish about …?\"), with dates (\"since 2020\", \"in the 1990s\")\n")
            .Append("- an author (\"who is …?\", \"what has … written?\")\n")
            .Append("- follow-ups (\"and what does she say about …?\") use the conversation so far\n\n")
            .Append("I quote the passages I rely on; the numbers [1], [2] open the source. ")
            .Append("If the archive has nothing on a question I say so.\n\n")
            .Append("Commands: **help** (this), **reset** (forget the conversation so far).");
        if (data.ScopedArticleId is not null)
        {
            text.Append("\n\nThis conversation is about one article; ask about it, or about the archive as a whole.");
        }

        var message = MessageFactory.Text(text.ToString());
        message.TextFormat = TextFormatTypes.Markdown;
        return message;
    }

    /// <summary>The user's text without the bot's @mention (Teams group chats and channels) and surrounding blanks.</summary>
    internal static string QuestionText(IMessageActivity activity)
    {
        var text = activity.Text ?? "";
        foreach (var mention in activity.GetMentions().Where(m => m.Mentioned?.Id is not null && m.Mentioned.Id == activity.Recipient?.Id && !string.IsNullOrEmpty(m.Text)))
        {
            text = text.Replace(mention.Text, " ", StringComparison.OrdinalIgnoreCase);
        }

        // Other <at>…</at> tags (a mention under another display name) carry no question words.
        return AtTag().Replace(text, " ").Trim();
    }

    private static string? Command(string text) => text.Trim().TrimStart('/').ToLowerInvariant() switch
    {
        "help" or "?" => "help",
        "reset" or "start over" or "restart" => "reset",
        _ => null,
    };

    private static string? FeedbackText(JToken? feedback)
    {
        // Teams sends the reader's text as a JSON string: {"feedbackText":"…"}.
        if (feedback is null)
        {
            return null;
        }

        var raw = feedback.Type == JTokenType.String ? (string?)feedback : feedback.ToString(Newtonsoft.Json.Formatting.None);
        if (raw is not null && raw.TrimStart().StartsWith('{'))
        {
            try
            {
                return (string?)JObject.Parse(raw)["feedbackText"] ?? raw;
            }
            catch (Newtonsoft.Json.JsonReaderException)
            {
                return raw;
            }
        }

        return raw;
    }

    [GeneratedRegex(@"<at>[^<]*</at>", RegexOptions.IgnoreCase)]
    private static partial Regex AtTag();
}
