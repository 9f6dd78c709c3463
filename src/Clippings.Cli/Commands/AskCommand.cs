using System.CommandLine;
using Clippings.Answering;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings ask "QUESTION" [--index FILE] [--json] [--mode hybrid|dense|lexical]</c></summary>
internal static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question to ask the archive." };
        var index = CommonOptions.Index();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var mode = new Option<SearchMode>("--mode") { Description = "Retrieval mode: hybrid (default), dense or lexical.", DefaultValueFactory = _ => SearchMode.Hybrid };
        var command = new Command("ask", "Ask one question; the answer cites the archive.") { question, index, json, mode, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var assistant = services.GetRequiredService<ArchiveAssistant>();
            await IndexGuard.EnsureNotEmptyAsync(assistant.Index, cancellationToken);
            var request = new AskRequest(parse.GetValue(question) ?? "", Mode: parse.GetValue(mode));
            if (parse.GetValue(json))
            {
                var answer = await assistant.AskAsync(request, cancellationToken);
                Console.Out.WriteLine(AnswerDocument.From(answer).ToJson());
            }
            else
            {
                await AnswerPrinter.StreamAsync(assistant.AskStreamingAsync(request, cancellationToken), cancellationToken);
            }

            return 0;
        });
        return command;
    }
}
