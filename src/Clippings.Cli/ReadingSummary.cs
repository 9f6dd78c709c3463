using Clippings.Ingestion;
using Spectre.Console;

namespace Clippings.Cli;

/// <summary>The end of <c>ingest</c> and <c>inspect</c>: what was read, and what was lost grouped by reason.</summary>
internal static class ReadingSummary
{
    public static void Write(ReadingReport report, bool pages = false)
    {
        var lines = report.ToLines(pages ? p => p : Relative, pages ? "page" : "file").ToList();
        foreach (var line in lines)
        {
            Console.Error.WriteLine(line);
        }

        if (report.LossIsSerious)
        {
            var message = pages
                ? $"warning: {report.FilesFailed:N0} of {report.Files - report.FilesSkipped:N0} pages ({1 - report.ReadShare:P1}) could not be read; their articles are NOT in the index (or are as last read). Fix the reasons above; the next sync reads them again."
                : $"warning: {report.FilesFailed:N0} of {report.Files - report.FilesSkipped:N0} files ({1 - report.ReadShare:P1}) could not be read; their articles are NOT in the index. Fix the reasons above, or run `clippings inspect PATH` to see each file.";
            if (AnsiConsole.Profile.Capabilities.Ansi && !Console.IsErrorRedirected)
            {
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(new Panel(Markup.Escape(message)) { Border = BoxBorder.Heavy, BorderStyle = new Style(Color.Yellow) });
            }
            else
            {
                Console.Error.WriteLine(message);
            }
        }
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) && relative.Count(c => c == Path.DirectorySeparatorChar) > 3 ? path : relative;
    }
}
