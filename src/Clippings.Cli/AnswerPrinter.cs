using Clippings.Answering;
using Spectre.Console;

namespace Clippings.Cli;

/// <summary>Prints an answer for a terminal: the text, then numbered sources with their exact quotes.</summary>
internal static class AnswerPrinter
{
    /// <summary>
    /// Writes the answer's text as it streams, then the sources. When the final answer differs from what streamed
    /// (a chat model's answer replaced by the extractive one), the final text follows under a rule.
    /// </summary>
    public static async Task<Answer> StreamAsync(IAsyncEnumerable<AnswerUpdate> updates, CancellationToken cancellationToken)
    {
        var streamed = new System.Text.StringBuilder();
        Answer? final = null;
        await foreach (var update in updates.WithCancellation(cancellationToken))
        {
            if (update.TextDelta is not null)
            {
                streamed.Append(update.TextDelta);
                Console.Out.Write(update.TextDelta);
                await Console.Out.FlushAsync(cancellationToken);
            }

            final = update.Final ?? final;
        }

        if (final is null)
        {
            throw new InvalidOperationException("The answer stream ended without an answer.");
        }

        Console.Out.WriteLine();
        var replaced = !string.Equals(streamed.ToString().Trim(), final.Text.Trim(), StringComparison.Ordinal);
        if (replaced)
        {
            AnsiConsole.Console.Write(new Rule());
        }

        Print(final, printText: replaced);
        return final;
    }

    public static void Print(Answer answer, bool printText = true)
    {
        var console = AnsiConsole.Console;
        if (printText)
        {
            console.WriteLine(answer.Text);
        }

        if (answer.Note is not null)
        {
            console.MarkupLine($"[grey]({Markup.Escape(answer.Note)})[/]");
        }

        if (answer.Citations.Count > 0)
        {
            console.WriteLine();
            console.MarkupLine("[bold]Sources[/]");
            foreach (var citation in answer.Citations)
            {
                var byline = string.Join(", ", new[] { CitationFormatting.FormatAuthors(citation.Authors), citation.Publication, citation.Published }.Where(s => !string.IsNullOrWhiteSpace(s)));
                console.MarkupLine($"[bold][[{citation.N}]][/] {Markup.Escape(citation.Title)} [grey]({Markup.Escape(byline)})[/]");
                if (!string.IsNullOrWhiteSpace(citation.Url))
                {
                    console.MarkupLine($"    [link]{Markup.Escape(citation.Url!)}[/]");
                }

                console.MarkupLine($"    [italic]“{Markup.Escape(citation.Quote.Replace("\n", " / ", StringComparison.Ordinal))}”[/] [grey](chars {citation.Start}–{citation.End})[/]");
            }
        }

        if (answer.SuggestedQuestions.Count > 0)
        {
            console.WriteLine();
            console.MarkupLine("[grey]You could also ask: " + Markup.Escape(string.Join("  |  ", answer.SuggestedQuestions)) + "[/]");
        }
    }
}
