using System.Runtime.CompilerServices;
using Clippings.Answering;
using Clippings.Server.Bot;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Bot;

/// <summary>
/// Teams streaming with a composer that writes its answer word by word (as a chat model does): the bot sends the
/// informative update, then the text so far in numbered updates, then the final message on the same stream.
/// </summary>
public sealed class TeamsStreamingTests
{
    [Fact]
    public async Task AStreamingComposerIsRelayedAsNumberedUpdatesThenTheFinalMessage()
    {
        var configuration = SampleArchiveIndex.Configuration(await SampleArchiveIndex.PathAsync(), new Dictionary<string, string?>
        {
            ["Clippings:Bot:StreamUpdateIntervalMs"] = "0",
        });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IAnswerComposer, WordByWordComposer>();
        services.AddClippings(configuration);
        services.AddClippingsBot(configuration);
        await using var provider = services.BuildServiceProvider();

        var adapter = BotFixture.Adapter(Channels.Msteams, "personal");
        await adapter.ProcessActivityAsync(adapter.MakeActivity("How much eel grass did the divers find in Calder Sound?"), provider.GetRequiredService<IBot>().OnTurnAsync, CancellationToken.None);
        var replies = new List<Activity>();
        while (adapter.GetNextReply() is Activity reply)
        {
            replies.Add(reply);
        }

        var streamId = replies[0].Id;
        var updates = replies.Where(r => r.Type == ActivityTypes.Typing).Select(r => (Info: Info(r), Text: r.Text)).ToList();
        Assert.Equal("informative", (string?)updates[0].Info["streamType"]);
        var streaming = updates.Skip(1).ToList();
        Assert.True(streaming.Count > 3, $"only {streaming.Count} streaming updates");
        Assert.All(streaming, u => Assert.Equal(("streaming", streamId), ((string?)u.Info["streamType"], (string?)u.Info["streamId"])));
        Assert.Equal(Enumerable.Range(2, streaming.Count), streaming.Select(u => (int)u.Info["streamSequence"]!));
        for (var i = 1; i < streaming.Count; i++)
        {
            Assert.StartsWith(streaming[i - 1].Text, streaming[i].Text, StringComparison.Ordinal);
        }

        // The final message closes the stream; the suggested follow-ups come after it, outside the stream.
        var messages = replies.Where(r => r.Type == ActivityTypes.Message).ToList();
        var final = messages[0];
        Assert.All(messages.Skip(1), m => Assert.DoesNotContain(m.Entities ?? [], e => e.Type == "streaminfo"));
        Assert.Equal(("final", streamId), ((string?)Info(final)["streamType"], (string?)Info(final)["streamId"]));
        Assert.Null(Info(final)["streamSequence"]);
        Assert.StartsWith(streaming[^1].Text.TrimEnd(), final.Text, StringComparison.Ordinal);
        Assert.Contains(final.Entities, e => e.Type == "https://schema.org/Message");
    }

    private static JObject Info(Activity activity) => JObject.FromObject(Assert.Single(activity.Entities, e => e.Type == "streaminfo"));

    /// <summary>The extractive answer, delivered a word at a time like a streaming chat model.</summary>
    private sealed class WordByWordComposer : IAnswerComposer
    {
        private readonly ExtractiveAnswerComposer _inner;

        public WordByWordComposer(ExtractiveAnswerComposer inner)
        {
            _inner = inner;
        }

        public Task<Answer> ComposeAsync(AnswerContext context, CancellationToken cancellationToken) => _inner.ComposeAsync(context, cancellationToken);

        public async IAsyncEnumerable<AnswerUpdate> StreamAsync(AnswerContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var answer = await _inner.ComposeAsync(context, cancellationToken);
            foreach (var word in answer.Text.Split(' '))
            {
                await Task.Yield();
                yield return AnswerUpdate.Delta(word + " ");
            }

            yield return AnswerUpdate.Completed(answer);
        }
    }
}
