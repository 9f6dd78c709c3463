using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Clippings.Archive;
using Clippings.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary>
/// <c>clippings inspect PATH... [--json] [--base-url URL]</c>: reads files exactly as <c>ingest</c> does and indexes nothing, to see
/// what each file yields (title, authors, date, section, text) before it goes into the index.
/// </summary>
internal static class InspectCommand
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Archive files or folders, as for ingest.", Arity = ArgumentArity.OneOrMore };
        var baseUrl = new Option<string?>("--base-url") { Description = "The published site's address, as for ingest." };
        var json = new Option<bool>("--json") { Description = "One JSON object per file: {path, format, error, warnings, articles, bios}." };
        var verbose = CommonOptions.Verbose();
        var command = new Command("inspect", "Show what ingest would read from files and folders (articles, authors, dates, text, errors), without indexing anything.") { paths, json, baseUrl, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration();
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var loader = services.GetRequiredService<ArchiveLoader>();
            var files = ArchiveLoader.EnumerateFiles(parse.GetValue(paths)!);
            var results = await loader.ReadAllAsync(files, new ArchiveReadOptions(parse.GetValue(baseUrl)), null, cancellationToken);
            if (parse.GetValue(json))
            {
                foreach (var result in results)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(result), Json));
                }
            }
            else
            {
                foreach (var result in results)
                {
                    WriteTable(result);
                }
            }

            var report = ReadingReport.From(results);
            ReadingSummary.Write(report);
            return report.FilesFailed > 0 ? 1 : 0;
        });
        return command;
    }

    /// <summary>The documented shape: other tools rely on exactly these names.</summary>
    internal static Dictionary<string, object?> ToJson(ArchiveFileResult result) => new()
    {
        ["path"] = result.Path,
        ["format"] = result.Format,
        ["error"] = result.Error,
        ["warnings"] = result.Skipped is null ? result.Warnings : [.. result.Warnings, $"not an article: {result.Skipped}"],
        ["articles"] = result.Articles.Select(a => new Dictionary<string, object?>
        {
            ["id"] = a.Id,
            ["title"] = a.Title,
            ["authors"] = a.Authors,
            ["published"] = a.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["datePrecision"] = a.DatePrecision.ToString().ToLowerInvariant(),
            ["section"] = a.Section,
            ["publication"] = a.Publication,
            ["url"] = a.Url,
            ["text"] = a.Text,
        }).ToList(),
        ["bios"] = result.Authors.Select(b => new Dictionary<string, object?> { ["name"] = b.Name, ["bio"] = b.Bio }).ToList(),
    };

    private static void WriteTable(ArchiveFileResult result)
    {
        var console = AnsiConsole.Console;
        var status = result.Error is not null ? $"[red]failed:[/] {Markup.Escape(result.Error)}"
            : result.Skipped is not null && result.Articles.Count == 0 ? $"[grey]skipped: {Markup.Escape(result.Skipped)}[/]"
            : $"{result.Articles.Count} article(s), {result.Format}";
        console.MarkupLine($"[bold]{Markup.Escape(result.Path)}[/]  {status}");
        if (result.Articles.Count > 0)
        {
            var table = new Table().AddColumns("id", "title", "authors", "published", "section", "publication", "url", "text");
            foreach (var article in result.Articles.Take(50))
            {
                table.AddRow(
                    Markup.Escape(article.Id), Markup.Escape(article.Title), Markup.Escape(string.Join(", ", article.Authors)),
                    Markup.Escape(Date(article)), Markup.Escape(article.Section ?? ""), Markup.Escape(article.Publication ?? ""), Markup.Escape(article.Url ?? ""),
                    Markup.Escape($"{article.Text.Length:N0} chars: {Preview(article.Text)}"));
            }

            console.Write(table);
            if (result.Articles.Count > 50)
            {
                console.MarkupLine($"[grey]…and {result.Articles.Count - 50} more articles (--json lists them all)[/]");
            }
        }

        foreach (var bio in result.Authors)
        {
            console.MarkupLine($"  bio: [bold]{Markup.Escape(bio.Name)}[/]: {Markup.Escape(Preview(bio.Bio ?? ""))}");
        }

        foreach (var warning in result.Warnings)
        {
            console.MarkupLine($"  [yellow]warning:[/] {Markup.Escape(warning)}");
        }
    }

    private static string Date(Article article) => article.Published is not { } date ? "" : article.DatePrecision switch
    {
        DatePrecision.Year => date.Year.ToString(CultureInfo.InvariantCulture),
        DatePrecision.Month => date.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static string Preview(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 80 ? line : line[..80] + "…";
    }
}
