using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clippings.Evaluation;

/// <summary>One line of a question set (the schema of ../shared/corpus/questions-dev.jsonl).</summary>
public sealed record EvaluationQuestion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("gold_article_ids")] IReadOnlyList<string> GoldArticleIds,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("history")] IReadOnlyList<string>? History)
{
    public bool IsAnswerable => GoldArticleIds.Count > 0;

    public static IReadOnlyList<EvaluationQuestion> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ClippingsException($"Question file not found: {path}. Pass --questions with a JSONL file of questions (see the README).");
        }

        var questions = new List<EvaluationQuestion>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var question = JsonSerializer.Deserialize<EvaluationQuestion>(line)
                    ?? throw new JsonException("empty record");
                questions.Add(question with { GoldArticleIds = question.GoldArticleIds ?? [], Kind = question.Kind ?? "unknown" });
            }
            catch (JsonException ex)
            {
                throw new ClippingsException($"{path}:{lineNumber}: not a valid question record ({ex.Message}). Each line needs id, question, gold_article_ids and kind.", ex);
            }
        }

        return questions;
    }
}
