using Clippings.Answering;
using Spectre.Console;

namespace Clippings.Cli;

/// <summary>Prints an answer for a terminal: the text, then numbered sources with their exact quotes.</summary>
internal static class AnswerPrinter
{
    public static void Print(Answer answer)
    {
        var console = AnsiConsole.Console;
        console.WriteLine(answer.Text);
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
