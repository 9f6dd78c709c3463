using System.Net.Http.Headers;
using Clippings.Server.DirectLine;
using Clippings.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.DirectLine;

/// <summary>The Direct Line endpoint alone on a TestServer, over a tiny bot, with a clock the test moves.</summary>
internal sealed class DirectLineTestHost : IAsyncDisposable
{
    public const string Secret = "test-direct-line-secret";

    private readonly WebApplication _app;

    private DirectLineTestHost(WebApplication app, ManualClock clock)
    {
        _app = app;
        Clock = clock;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public ManualClock Clock { get; }

    public TestServer Server => _app.GetTestServer();

    public IServiceProvider Services => _app.Services;

    public static async Task<DirectLineTestHost> StartAsync(IDictionary<string, string?>? settings = null, bool withSecret = true)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var config = new Dictionary<string, string?>();
        if (withSecret)
        {
            config["Clippings:DirectLine:Secret"] = Secret;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        var clock = new ManualClock();
        builder.Services.AddSingleton<TimeProvider>(clock);
        // Clippings:State:Provider = redis in the settings shares the conversations (memory otherwise).
        builder.Services.AddClippingsState(builder.Configuration);
        builder.Services.AddDirectLine(builder.Configuration);
        builder.Services.AddSingleton<IBot, EchoBot>();
        var app = builder.Build();
        app.UseWebSockets();
        app.UseCors();
        app.UseRateLimiter();
        app.MapDirectLine();
        await app.StartAsync();
        return new DirectLineTestHost(app, clock);
    }

    /// <summary>Token for a new conversation from the secret, then the conversation started with it.</summary>
    public async Task<(string ConversationId, string Token)> StartConversationAsync()
    {
        using var generate = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/tokens/generate");
        generate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        var generated = await SendJsonAsync(generate);
        var token = (string)generated["token"]!;
        using var start = Request(HttpMethod.Post, "/v3/directline/conversations", token);
        using var response = await Client.SendAsync(start);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var started = JObject.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((string)generated["conversationId"]!, (string)started["conversationId"]!);
        return ((string)started["conversationId"]!, (string)started["token"]!);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(JObject.FromObject(json).ToString(), System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<JObject> SendJsonAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{request.Method} {request.RequestUri} → {(int)response.StatusCode}: {body}");
        return JObject.Parse(body);
    }

    public async Task<JObject> PostMessageAsync(string conversationId, string token, string text, string? clientActivityId = null) =>
        await SendJsonAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, new
        {
            type = "message",
            text,
            from = new { id = "reader-1", name = "Reader" },
            channelData = new { clientActivityID = clientActivityId ?? Guid.NewGuid().ToString("N") },
        }));

    public async Task<JObject> GetActivitiesAsync(string conversationId, string token, string? watermark = null) =>
        await SendJsonAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities" + (watermark is null ? "" : "?watermark=" + watermark), token));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>A tiny bot standing in for the real one: greets, echoes, and shows an update of a sent activity.</summary>
internal sealed class EchoBot : ActivityHandler
{
    protected override async Task OnMembersAddedAsync(IList<ChannelAccount> membersAdded, ITurnContext<IConversationUpdateActivity> turnContext, CancellationToken cancellationToken)
    {
        if (membersAdded.Any(m => m.Id != turnContext.Activity.Recipient.Id))
        {
            await turnContext.SendActivityAsync("Welcome!", cancellationToken: cancellationToken);
        }
    }

    protected override async Task OnMessageActivityAsync(ITurnContext<IMessageActivity> turnContext, CancellationToken cancellationToken)
    {
        if (turnContext.Activity.Text == "update me")
        {
            var sent = await turnContext.SendActivityAsync("first draft", cancellationToken: cancellationToken);
            var update = MessageFactory.Text("final text");
            update.Id = sent.Id;
            update.Conversation = turnContext.Activity.Conversation;
            await turnContext.UpdateActivityAsync(update, cancellationToken);
            return;
        }

        await turnContext.SendActivityAsync("You said: " + turnContext.Activity.Text, cancellationToken: cancellationToken);
    }

    protected override async Task OnEventActivityAsync(ITurnContext<IEventActivity> turnContext, CancellationToken cancellationToken) =>
        await turnContext.SendActivityAsync("Event: " + turnContext.Activity.Name, cancellationToken: cancellationToken);
}

/// <summary>A clock that moves only when the test says so.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
