using System.CommandLine;
using Clippings.Answering;
using Clippings.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary>
/// <c>clippings chat [--index FILE] [--article ID]</c>: a multi-turn conversation with follow-ups.
/// On an empty index it first ingests the bundled samples/archive, and says so.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var index = CommonOptions.Index();
        var verbose = CommonOptions.Verbose();
        var article = new Option<string?>("--article") { Description = "Scope the conversation to one article (id or URL), as the website's \"Discuss this article\" does." };
        var command = new Command("chat", "Talk with the archive: follow-up questions use the conversation so far.") { index, article, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var assistant = services.GetRequiredService<ArchiveAssistant>();
            await SampleArchive.IngestIfEmptyAsync(services, Console.Error, cancellationToken);

            var conversation = Conversation.Empty;
            var scope = parse.GetValue(article);
            if (!string.IsNullOrWhiteSpace(scope))
            {
                var found = await assistant.FindArticleByUrlAsync(scope, cancellationToken)
                    ?? (await assistant.Index.GetArticleAsync(scope, cancellationToken))?.ToSummary()
                    ?? throw new ClippingsException($"No article with id or URL '{scope}' in the index.");
                conversation = conversation with { ScopedArticleId = found.Id };
                AnsiConsole.MarkupLine($"[grey]Discussing[/] [bold]{Markup.Escape(found.Title)}[/]");
            }

            var stats = await assistant.Index.GetStatsAsync(cancellationToken);
            AnsiConsole.MarkupLine($"[grey]Clippings: {stats.Articles} articles by {stats.Authors} authors. Ask a question; 'reset' starts over, 'exit' quits.[/]");
            foreach (var example in await assistant.SampleQuestionsAsync(3, cancellationToken))
            {
                AnsiConsole.MarkupLine($"[grey]  e.g. {Markup.Escape(example)}[/]");
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                Console.Out.Write("\n> ");
                var line = Console.In.ReadLine();
                if (line is null || line.Trim() is "exit" or "quit")
                {
                    break;
                }

                if (line.Trim() == "reset")
                {
                    conversation = Conversation.Empty with { ScopedArticleId = conversation.ScopedArticleId };
                    AnsiConsole.MarkupLine("[grey]Conversation cleared.[/]");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var answer = await AnswerPrinter.StreamAsync(assistant.AskStreamingAsync(new AskRequest(line, conversation), cancellationToken), cancellationToken);
                conversation = conversation.With(new ConversationTurn(line, answer));
            }

            return 0;
        });
        return command;
    }
}
