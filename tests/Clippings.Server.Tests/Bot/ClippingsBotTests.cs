using Clippings.Answering;
using Clippings.Server.Bot;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Adapters;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Bot;

/// <summary>Conversations with the real bot over the sample archive, through the Bot Framework's TestAdapter.</summary>
[Collection(BotCollection.Name)]
public sealed class ClippingsBotTests
{
    private const string EelGrassId = "tidelines-eel-grass";
    private const string EelGrassUrl = "https://harbourreview.example/tidelines/2022/06/tidelines-eel-grass";
    private const string EelGrassQuestion = "How much eel grass did the divers find in Calder Sound?";
    private const string ScopedQuestion = "What did the survey find?";

    private readonly BotFixture _fixture;

    public ClippingsBotTests(BotFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task WelcomesANewMemberWithThreeExampleQuestionsFromTheArchive()
    {
        var adapter = BotFixture.Adapter(Channels.Webchat);
        var examples = await _fixture.Services.GetRequiredService<ArchiveAssistant>().SampleQuestionsAsync(3, CancellationToken.None);
        Assert.Equal(3, examples.Count);
        var joined = adapter.MakeActivity();
        joined.Type = ActivityTypes.ConversationUpdate;
        joined.MembersAdded = [joined.From];

        await new TestFlow(adapter, _fixture.Bot)
            .Send(joined)
            .AssertReply(reply =>
            {
                var message = reply.AsMessageActivity();
                Assert.Contains("20 articles by 5 authors", message.Text, StringComparison.Ordinal);
                Assert.All(examples, e => Assert.Contains(e, message.Text, StringComparison.Ordinal));
                Assert.Equal(examples, message.SuggestedActions.Actions.Select(a => (string)a.Value));
            })
            .StartTestAsync();
    }

    [Fact]
    public async Task TheBotJoiningAloneIsNotWelcomed()
    {
        var adapter = BotFixture.Adapter(Channels.Webchat);
        var joined = adapter.MakeActivity();
        joined.Type = ActivityTypes.ConversationUpdate;
        joined.MembersAdded = [joined.Recipient];
        await new TestFlow(adapter, _fixture.Bot).Send(joined).AssertNoReply().StartTestAsync();
    }

    [Fact]
    public async Task InATeamsChannelTheBotGreetsWhenAddedButNotForEachNewColleague()
    {
        var adapter = BotFixture.Adapter(Channels.Msteams, "channel");
        var botAdded = adapter.MakeActivity();
        botAdded.Type = ActivityTypes.ConversationUpdate;
        botAdded.MembersAdded = [botAdded.Recipient];
        var colleagueJoined = adapter.MakeActivity();
        colleagueJoined.Type = ActivityTypes.ConversationUpdate;
        colleagueJoined.MembersAdded = [new ChannelAccount("colleague-2", "Colleague")];

        await new TestFlow(adapter, _fixture.Bot)
            .Send(botAdded)
            .AssertReply(reply => Assert.StartsWith("Hello!", reply.AsMessageActivity().Text, StringComparison.Ordinal))
            .AssertReply(reply => Assert.Equal(3, reply.AsMessageActivity().SuggestedActions.Actions.Count))
            .Send(colleagueJoined)
            .AssertNoReply()
            .StartTestAsync();
    }

    [Fact]
    public async Task AnswersInTeamsWithCitationClaimsPointingToTheRightArticleAndStreams()
    {
        var adapter = BotFixture.Adapter(Channels.Msteams, "personal");
        var replies = await SendAsync(adapter, EelGrassQuestion);

        // Teams 1:1: an informative stream update first, then the final answer tied to that stream.
        var informative = replies[0];
        Assert.Equal(ActivityTypes.Typing, informative.Type);
        Assert.Equal("informative", (string?)StreamInfo(informative)!["streamType"]);
        // The cited answer carries no suggested actions (a Teams client would render it as a plain "action" message):
        // they follow in a message of their own.
        var messages = replies.Where(r => r.Type == ActivityTypes.Message).ToList();
        Assert.Equal(2, messages.Count);
        var answer = messages[0];
        Assert.Null(answer.SuggestedActions);
        var suggestions = messages[1];
        Assert.NotEmpty(suggestions.SuggestedActions.Actions);
        Assert.Empty(Claims(suggestions));
        Assert.Equal("final", (string?)StreamInfo(answer)!["streamType"]);
        Assert.Equal(informative.Id, (string?)StreamInfo(answer)!["streamId"]);

        Assert.Contains("[1]", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("[1]: ", answer.Text, StringComparison.Ordinal);
        var message = MessageEntity(answer);
        Assert.Equal("Message", (string?)message["@type"]);
        Assert.Equal("", (string?)message["@id"]);
        Assert.Contains("AIGeneratedContent", message["additionalType"]!.Values<string>());
        var claims = message["citation"]!.Children<JObject>().ToList();
        Assert.NotEmpty(claims);
        Assert.All(claims, claim =>
        {
            Assert.Equal(EelGrassUrl, (string?)claim["appearance"]!["url"]);
            Assert.True(((string?)claim["appearance"]!["name"])!.Length <= AnswerActivityFactory.MaxNameLength);
            Assert.True(((string?)claim["appearance"]!["abstract"])!.Length <= AnswerActivityFactory.MaxAbstractLength);
            Assert.True(claim["appearance"]!["keywords"]!.Count() <= AnswerActivityFactory.MaxKeywords);
        });
        Assert.Equal(Enumerable.Range(1, claims.Count), claims.Select(c => (int)c["position"]!));
        Assert.Contains("61 hectares", (string?)claims[0]["appearance"]!["abstract"], StringComparison.Ordinal);

        var channelData = (JObject)answer.ChannelData;
        Assert.Equal("default", (string?)channelData["feedbackLoop"]!["type"]);
    }

    [Fact]
    public async Task TheTeamsWelcomeIsMarkdownWithItsSuggestionsInTheNextMessage()
    {
        var adapter = BotFixture.Adapter(Channels.Msteams, "personal");
        var joined = adapter.MakeActivity();
        joined.Type = ActivityTypes.ConversationUpdate;
        joined.MembersAdded = [joined.From];
        var replies = await SendAsync(adapter, joined);
        Assert.Equal(2, replies.Count);
        Assert.Equal(TextFormatTypes.Markdown, replies[0].TextFormat);
        Assert.Contains("**help**", replies[0].Text, StringComparison.Ordinal);
        Assert.Null(replies[0].SuggestedActions);
        Assert.Equal(3, replies[1].SuggestedActions.Actions.Count);
    }

    [Fact]
    public async Task WebChatGetsReferenceDefinitionsFeedbackActionsAndATypingIndicator()
    {
        var adapter = BotFixture.Adapter(Channels.Webchat);
        var replies = await SendAsync(adapter, EelGrassQuestion);
        Assert.Equal(ActivityTypes.Typing, replies[0].Type);
        var answer = Assert.Single(replies, r => r.Type == ActivityTypes.Message);
        Assert.Contains("\n[1]: cite:1 \"What the Eel Grass Knows", answer.Text, StringComparison.Ordinal);
        Assert.NotEmpty(answer.SuggestedActions.Actions);
        var message = MessageEntity(answer);
        Assert.Contains("AIGeneratedContent", message["keywords"]!.Values<string>());
        Assert.Equal(["LikeAction", "DislikeAction"], message["potentialAction"]!.Select(a => (string?)a["@type"]));

        // Web Chat opens an appearance without a url in its quote pop-up: the article link is inside the quote's text.
        var claim = message["citation"]![0]!;
        Assert.Null(claim["appearance"]!["url"]);
        Assert.Equal(EelGrassUrl, ArticleUrl(claim));
        Assert.EndsWith($"[Read the article]({EelGrassUrl})", (string?)claim["appearance"]!["text"], StringComparison.Ordinal);
        Assert.Contains("61 hectares", (string?)claim["appearance"]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherChannelsGetAPlainTextSourcesList()
    {
        var adapter = BotFixture.Adapter("slack");
        var answer = Assert.Single(await SendAsync(adapter, EelGrassQuestion), r => r.Type == ActivityTypes.Message);
        Assert.Contains("Sources:\n[1] Maren Holt, The Harbour Review, 2022-06-05 — " + EelGrassUrl, answer.Text, StringComparison.Ordinal);
        Assert.Contains("“Divers from the University of the North Coast", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFollowUpUsesThePreviousTurn()
    {
        const string followUp = "What else did they find?";
        var alone = Assert.Single(await SendAsync(BotFixture.Adapter(Channels.Webchat), followUp), r => r.Type == ActivityTypes.Message);
        Assert.Empty(Claims(alone));

        var adapter = BotFixture.Adapter(Channels.Webchat);
        await SendAsync(adapter, EelGrassQuestion);
        var answer = Assert.Single(await SendAsync(adapter, followUp), r => r.Type == ActivityTypes.Message);
        Assert.NotEmpty(Claims(answer));
        Assert.All(Claims(answer), c => Assert.Equal(EelGrassUrl, ArticleUrl(c)));
    }

    [Fact]
    public async Task ResetForgetsThePreviousTurns()
    {
        var adapter = BotFixture.Adapter(Channels.Webchat);
        await SendAsync(adapter, EelGrassQuestion);
        var cleared = Assert.Single(await SendAsync(adapter, "reset"));
        Assert.StartsWith("Conversation cleared", cleared.Text, StringComparison.Ordinal);
        var answer = Assert.Single(await SendAsync(adapter, "What else did they find?"), r => r.Type == ActivityTypes.Message);
        Assert.Empty(Claims(answer));
    }

    [Fact]
    public async Task HelpListsTheCommands()
    {
        var reply = Assert.Single(await SendAsync(BotFixture.Adapter(Channels.Webchat), "help"));
        Assert.Contains("**reset**", reply.Text, StringComparison.Ordinal);
        Assert.Equal(3, reply.SuggestedActions.Actions.Count);

        // In Teams the examples follow as their own message.
        var teams = await SendAsync(BotFixture.Adapter(Channels.Msteams, "channel"), "help");
        Assert.Equal(2, teams.Count);
        Assert.Contains("**reset**", teams[0].Text, StringComparison.Ordinal);
        Assert.Null(teams[0].SuggestedActions);
        Assert.Equal(3, teams[1].SuggestedActions.Actions.Count);
    }

    [Fact]
    public async Task AScopeEventScopesTheConversationToThatArticle()
    {
        var adapter = BotFixture.Adapter(Channels.Directline);
        var scope = adapter.MakeActivity();
        scope.Type = ActivityTypes.Event;
        scope.Name = ClippingsBot.ScopeEventName;
        scope.Value = new JObject { ["articleUrl"] = EelGrassUrl };
        await adapter.ProcessActivityAsync(scope, _fixture.Bot.OnTurnAsync, CancellationToken.None);
        var announced = adapter.GetNextReply();
        Assert.Contains("What the Eel Grass Knows", announced.AsMessageActivity().Text, StringComparison.Ordinal);

        // Unscoped, "the survey" also matches other pieces; scoped, only this one is quoted.
        var unscoped = Assert.Single(await SendAsync(BotFixture.Adapter(Channels.Directline), ScopedQuestion), r => r.Type == ActivityTypes.Message);
        Assert.Contains(Claims(unscoped), c => ArticleUrl(c) != EelGrassUrl);
        var answer = Assert.Single(await SendAsync(adapter, ScopedQuestion), r => r.Type == ActivityTypes.Message);
        Assert.NotEmpty(Claims(answer));
        Assert.All(Claims(answer), c => Assert.Equal(EelGrassUrl, ArticleUrl(c)));
    }

    [Fact]
    public async Task ChannelDataOnAMessageScopesTheConversation()
    {
        var adapter = BotFixture.Adapter(Channels.Directline);
        var message = adapter.MakeActivity(ScopedQuestion);
        message.ChannelData = new JObject { ["clippings"] = new JObject { ["articleUrl"] = EelGrassUrl } };
        var answer = Assert.Single(await SendAsync(adapter, message), r => r.Type == ActivityTypes.Message);
        Assert.NotEmpty(Claims(answer));
        Assert.All(Claims(answer), c => Assert.Equal(EelGrassUrl, ArticleUrl(c)));
    }

    [Fact]
    public async Task AnUnknownArticleIsSaidSoAndTheWholeArchiveStaysInScope()
    {
        var adapter = BotFixture.Adapter(Channels.Directline);
        var scope = adapter.MakeActivity();
        scope.Type = ActivityTypes.Event;
        scope.Name = ClippingsBot.ScopeEventName;
        scope.Value = new JObject { ["articleUrl"] = "https://elsewhere.example/not-ours" };
        await adapter.ProcessActivityAsync(scope, _fixture.Bot.OnTurnAsync, CancellationToken.None);
        Assert.Contains("couldn't find this article", ((Activity)adapter.GetNextReply()).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnanswerableQuestionIsRefusedWithoutCitations()
    {
        var answer = (await SendAsync(BotFixture.Adapter(Channels.Msteams, "personal"), "What is the best smartphone to buy?")).First(r => r.Type == ActivityTypes.Message);
        Assert.StartsWith("I couldn't find anything in the archive", answer.Text, StringComparison.Ordinal);
        Assert.Empty(Claims(answer));
    }

    [Fact]
    public async Task TeamsFeedbackInvokeIsAcknowledgedAndStoredWithTheQuestion()
    {
        var adapter = BotFixture.Adapter(Channels.Msteams, "personal");
        var answer = (await SendAsync(adapter, EelGrassQuestion)).First(r => r.Type == ActivityTypes.Message);

        var invoke = adapter.MakeActivity();
        invoke.Type = ActivityTypes.Invoke;
        invoke.Name = ClippingsBot.TeamsFeedbackInvokeName;
        invoke.ReplyToId = answer.Id;
        invoke.Value = JObject.Parse("""{"actionName":"feedback","actionValue":{"reaction":"dislike","feedback":"{\"feedbackText\":\"Too long\"}"}}""");
        var replies = await SendAsync(adapter, invoke);
        var response = Assert.Single(replies, r => r.Type == ActivityTypesEx.InvokeResponse);
        Assert.Equal(200, ((InvokeResponse)response.Value).Status);

        var stored = await _fixture.Services.GetRequiredService<FeedbackStore>().FindAsync(Channels.Msteams, invoke.Conversation.Id, answer.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(("dislike", "Too long", EelGrassQuestion), (stored.Reaction, stored.Comment, stored.Question));
        Assert.Equal([EelGrassId], stored.CitedArticleIds);
    }

    [Fact]
    public async Task TeamsFeedbackWithoutAReplyToIdRatesTheLastAnswerAndKeepsEarlierRatings()
    {
        // The Agents Playground's feedback invoke carries no replyToId.
        const string secondQuestion = "Who writes the food column?";
        var adapter = BotFixture.Adapter(Channels.Msteams, "personal");
        var first = (await SendAsync(adapter, EelGrassQuestion)).First(r => r.Type == ActivityTypes.Message);
        await SendAsync(adapter, Feedback(adapter, "like"));
        var second = (await SendAsync(adapter, secondQuestion)).First(r => r.Type == ActivityTypes.Message);
        await SendAsync(adapter, Feedback(adapter, "dislike"));

        var store = _fixture.Services.GetRequiredService<FeedbackStore>();
        var conversationId = adapter.Conversation.Conversation.Id;
        var onFirst = await store.FindAsync(Channels.Msteams, conversationId, first.Id, CancellationToken.None);
        var onSecond = await store.FindAsync(Channels.Msteams, conversationId, second.Id, CancellationToken.None);
        Assert.Equal(("like", EelGrassQuestion, first.Id), (onFirst?.Reaction, onFirst?.Question, onFirst?.ReplyToId));
        Assert.Equal(("dislike", secondQuestion, second.Id), (onSecond?.Reaction, onSecond?.Question, onSecond?.ReplyToId));
        Assert.Null(await store.FindAsync(Channels.Msteams, conversationId, null, CancellationToken.None));

        static Activity Feedback(TestAdapter adapter, string reaction)
        {
            var invoke = adapter.MakeActivity();
            invoke.Type = ActivityTypes.Invoke;
            invoke.Name = ClippingsBot.TeamsFeedbackInvokeName;
            invoke.Value = new JObject { ["actionName"] = "feedback", ["actionValue"] = new JObject { ["reaction"] = reaction, ["feedback"] = "{\"feedbackText\":\"\"}" } };
            return invoke;
        }
    }

    [Fact]
    public async Task WebChatFeedbackEventIsStored()
    {
        var adapter = BotFixture.Adapter(Channels.Webchat);
        var answer = Assert.Single(await SendAsync(adapter, EelGrassQuestion), r => r.Type == ActivityTypes.Message);
        var feedback = adapter.MakeActivity();
        feedback.Type = ActivityTypes.Event;
        feedback.Name = ClippingsBot.WebChatFeedbackEventName;
        feedback.ReplyToId = answer.Id;
        feedback.Value = new JObject { ["@type"] = "LikeAction", ["@id"] = "_:like" };
        Assert.Empty(await SendAsync(adapter, feedback));

        var stored = await _fixture.Services.GetRequiredService<FeedbackStore>().FindAsync(Channels.Webchat, feedback.Conversation.Id, answer.Id, CancellationToken.None);
        Assert.Equal("like", stored?.Reaction);
    }

    [Fact]
    public async Task AStreamedAnswerWhoseFinalSendReturnsNoIdIsRatedUnderItsStreamId()
    {
        // Teams (and the Agents Playground, with a 202 and no body) gives the final message of a stream no id of its own.
        var reference = TestAdapter.CreateConversation("conversation-" + Guid.NewGuid().ToString("N"));
        reference.ChannelId = Channels.Msteams;
        reference.Conversation.ConversationType = "personal";
        var adapter = new FinalStreamSendWithoutId(reference);
        var replies = await SendAsync(adapter, EelGrassQuestion);
        var streamId = replies[0].Id;
        Assert.False(string.IsNullOrEmpty(streamId));

        var invoke = adapter.MakeActivity();
        invoke.Type = ActivityTypes.Invoke;
        invoke.Name = ClippingsBot.TeamsFeedbackInvokeName;
        invoke.Value = JObject.Parse("""{"actionName":"feedback","actionValue":{"reaction":"like","feedback":"{\"feedbackText\":\"\"}"}}""");
        await SendAsync(adapter, invoke);

        var stored = await _fixture.Services.GetRequiredService<FeedbackStore>().FindAsync(Channels.Msteams, reference.Conversation.Id, streamId, CancellationToken.None);
        Assert.Equal(("like", EelGrassQuestion), (stored?.Reaction, stored?.Question));
    }

    private sealed class FinalStreamSendWithoutId(ConversationReference reference) : TestAdapter(reference)
    {
        public override async Task<ResourceResponse[]> SendActivitiesAsync(ITurnContext turnContext, Activity[] activities, CancellationToken cancellationToken)
        {
            var responses = await base.SendActivitiesAsync(turnContext, activities, cancellationToken);
            for (var i = 0; i < activities.Length; i++)
            {
                if (activities[i].Type == ActivityTypes.Message && activities[i].Entities?.Any(e => e.Type == "streaminfo") == true)
                {
                    responses[i] = new ResourceResponse();
                }
            }

            return responses;
        }
    }

    [Fact]
    public async Task ATeamsChannelMentionIsStrippedBeforeAnswering()
    {
        var adapter = BotFixture.Adapter(Channels.Msteams, "channel");
        var message = adapter.MakeActivity("<at>Clippings</at> Who writes the food column?");
        // As Teams sends it: the mention entity names the bot's id and the exact text to strip.
        var mention = new Entity("mention");
        mention.Properties["mentioned"] = new JObject { ["id"] = message.Recipient.Id, ["name"] = "Clippings" };
        mention.Properties["text"] = "<at>Clippings</at>";
        message.Entities = [mention];
        Assert.Equal("Who writes the food column?", ClippingsBot.QuestionText(message));

        var replies = await SendAsync(adapter, message);
        Assert.Equal(ActivityTypes.Typing, replies[0].Type);   // no streaming outside 1:1 chats
        var answer = replies.First(r => r.Type == ActivityTypes.Message);
        Assert.Contains("Tobias Achterberg", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AMentionUnderAnotherNameIsStrippedToo()
    {
        var message = new Activity(ActivityTypes.Message) { Text = "<at>Archive Bot</at>  who is Maren Holt?", Recipient = new ChannelAccount("bot") };
        Assert.Equal("who is Maren Holt?", ClippingsBot.QuestionText(message));
    }

    private async Task<List<Activity>> SendAsync(TestAdapter adapter, string text) => await SendAsync(adapter, adapter.MakeActivity(text));

    private async Task<List<Activity>> SendAsync(TestAdapter adapter, Activity activity)
    {
        await adapter.ProcessActivityAsync(activity, _fixture.Bot.OnTurnAsync, CancellationToken.None);
        var replies = new List<Activity>();
        while (adapter.GetNextReply() is { } reply)
        {
            replies.Add((Activity)reply);
        }

        return replies;
    }

    private static JObject MessageEntity(IActivity activity) =>
        JObject.FromObject(Assert.Single(activity.Entities, e => e.Type == AnswerActivityFactory.MessageEntityType));

    private static List<JObject> Claims(IActivity activity) =>
        activity.Entities?.FirstOrDefault(e => e.Type == AnswerActivityFactory.MessageEntityType) is { } entity
            ? JObject.FromObject(entity)["citation"]!.Children<JObject>().ToList()
            : [];

    /// <summary>The cited article: Teams reads it from the appearance, Web Chat's claims carry it on the Claim.</summary>
    private static string? ArticleUrl(JToken claim) => (string?)(claim["appearance"]!["url"] ?? claim["url"]);

    private static JObject? StreamInfo(IActivity activity) =>
        activity.Entities?.FirstOrDefault(e => e.Type == "streaminfo") is { } entity ? JObject.FromObject(entity) : null;
}
