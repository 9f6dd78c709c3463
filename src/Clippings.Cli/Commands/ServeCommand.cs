using System.CommandLine;
using Clippings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Clippings.Cli.Commands;

/// <summary>
/// <c>clippings serve [--urls URLS] [--index FILE]</c>: the service (Bot Framework endpoint, JSON API, health, OpenAPI, and the website: demo page, embed.js, Direct Line).
/// On an empty index it first ingests the bundled samples/archive, and says so.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on, ';'-separated (default: Urls from configuration, else {DefaultUrls})." };
        var index = CommonOptions.Index();
        var verbose = CommonOptions.Verbose();
        var command = new Command("serve", "Run the service: the bot endpoint (Teams, Web Chat, Emulator), the JSON API, health, OpenAPI, the demo page with Web Chat, embed.js and Direct Line.") { urls, index, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = CommonOptions.Overrides(parse.GetValue(index));
            var configuration = CliHost.BuildConfiguration(overrides);
            overrides["urls"] = parse.GetValue(urls) ?? configuration["urls"] ?? DefaultUrls;
            if (parse.GetValue(verbose))
            {
                overrides["Serilog:MinimumLevel:Override:Clippings"] = "Information";
            }

            configuration = CliHost.BuildConfiguration(overrides);
            await using var app = ClippingsServer.Build(configuration);
            await SampleArchive.IngestIfEmptyAsync(app.Services, Console.Error, cancellationToken);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new ClippingsException($"Cannot listen on {overrides["urls"]}: {ex.Message.TrimEnd('.')}. Pick another address with --urls (e.g. http://127.0.0.1:5081).", ex);
            }

            await Console.Error.WriteLineAsync($"Clippings is serving on {string.Join(", ", app.Urls)} (Ctrl+C stops it).");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
