using Stopwatch = System.Diagnostics.Stopwatch;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Bot;

/// <summary>
/// Teams streaming (1:1 chats): an informative typing update, then typing updates carrying the text so far,
/// then the final message, all tied by the stream id Teams returns for the first update. The same fields go in
/// channelData too, which is what Web Chat reads. Updates closer than the interval are skipped (Teams throttles).
/// </summary>
internal sealed class TeamsStream
{
    private const string StreamInfo = "streaminfo";

    private readonly ITurnContext _turnContext;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _sinceLastSend = Stopwatch.StartNew();
    private int _sequence = 1;
    private string _lastSent = "";

    private TeamsStream(ITurnContext turnContext, string streamId, TimeSpan interval)
    {
        _turnContext = turnContext;
        StreamId = streamId;
        _interval = interval;
    }

    public string StreamId { get; }

    /// <summary>Teams streams only in personal (1:1) chats.</summary>
    public static bool IsSupported(IActivity activity) =>
        activity.ChannelId == Channels.Msteams && activity.Conversation?.ConversationType is null or "personal";

    /// <summary>Sends the informative update; null when the channel gave no stream id (then the caller answers without streaming).</summary>
    public static async Task<TeamsStream?> StartAsync(ITurnContext turnContext, string informative, int intervalMs, CancellationToken cancellationToken)
    {
        var typing = Update(informative, "informative", 1, null);
        var response = await turnContext.SendActivityAsync(typing, cancellationToken);
        return string.IsNullOrEmpty(response?.Id) ? null : new TeamsStream(turnContext, response.Id, TimeSpan.FromMilliseconds(intervalMs));
    }

    /// <summary>Sends the text so far, unless the previous update went out less than the interval ago.</summary>
    public async Task UpdateAsync(string textSoFar, CancellationToken cancellationToken)
    {
        if (_sinceLastSend.Elapsed < _interval || textSoFar == _lastSent)
        {
            return;
        }

        _sequence++;
        await _turnContext.SendActivityAsync(Update(textSoFar, "streaming", _sequence, StreamId), cancellationToken);
        _lastSent = textSoFar;
        _sinceLastSend.Restart();
    }

    /// <summary>Marks the answer message as the end of this stream.</summary>
    public void MarkFinal(Activity reply)
    {
        reply.Entities ??= [];
        var info = new Entity(StreamInfo);
        info.Properties["streamId"] = StreamId;
        info.Properties["streamType"] = "final";
        reply.Entities.Add(info);
        var channelData = reply.ChannelData as JObject ?? [];
        channelData["streamId"] = StreamId;
        channelData["streamType"] = "final";
        reply.ChannelData = channelData;
    }

    private static Activity Update(string text, string streamType, int sequence, string? streamId)
    {
        var info = new Entity(StreamInfo);
        info.Properties["streamType"] = streamType;
        info.Properties["streamSequence"] = sequence;
        var channelData = new JObject { ["streamType"] = streamType, ["streamSequence"] = sequence };
        if (streamId is not null)
        {
            info.Properties["streamId"] = streamId;
            channelData["streamId"] = streamId;
        }

        return new Activity { Type = ActivityTypes.Typing, Text = text, Entities = [info], ChannelData = channelData };
    }
}
