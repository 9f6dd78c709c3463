using Clippings.Text;

namespace Clippings.Insights;

/// <summary>
/// The most asked topics: the words readers' questions share, stemmed so "oyster" and "oysters" count together,
/// leaving out stop words and the words every question to an archive uses ("wrote", "article", "published"…).
/// </summary>
public static class TopicCounter
{
    /// <summary>Question words that say nothing about a subject.</summary>
    internal static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "write", "writes", "wrote", "written", "writing", "writer", "writers", "article", "articles", "piece", "pieces",
        "publish", "published", "publication", "archive", "archives", "magazine", "paper", "story", "stories", "column",
        "tell", "know", "think", "mean", "means", "meant", "anything", "something", "ever", "before", "more", "many",
        "much", "also", "get", "got", "just", "like", "other", "here", "thing", "things", "find", "there", "ask",
        "asked", "please", "author", "authors", "whats", "explain", "talk", "talks", "discuss", "read", "give", "show",
        "list", "any", "most", "best", "latest", "recent", "new", "year", "years", "time", "times", "way", "out",
    };

    public static IReadOnlyList<AskedTopic> Count(IEnumerable<LoggedQuestion> questions, int max)
    {
        var counts = new Dictionary<string, (int Count, int Refused, Dictionary<string, int> Surfaces)>(StringComparer.Ordinal);
        foreach (var question in questions)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // "the ferry company's accounts": the possessive is not part of the word.
            var text = question.Question.Replace("'s", "", StringComparison.OrdinalIgnoreCase).Replace("\u2019s", "", StringComparison.OrdinalIgnoreCase);
            foreach (var token in LexicalAnalyzer.Tokenize(text))
            {
                // Numbers (years, amounts) qualify a question; they are not its topic.
                if (token.Length < 3 || Generic.Contains(token) || token.Any(char.IsDigit))
                {
                    continue;
                }

                var stems = LexicalAnalyzer.Analyze(token);
                if (stems.Count != 1 || Generic.Contains(stems[0]))
                {
                    continue;
                }

                var stem = stems[0];
                if (!counts.TryGetValue(stem, out var entry))
                {
                    entry = (0, 0, new Dictionary<string, int>(StringComparer.Ordinal));
                }

                entry.Surfaces[token] = entry.Surfaces.GetValueOrDefault(token) + 1;
                if (seen.Add(stem))
                {
                    entry = (entry.Count + 1, entry.Refused + (question.Refused ? 1 : 0), entry.Surfaces);
                }

                counts[stem] = entry;
            }
        }

        return counts
            .Select(c => new AskedTopic(
                c.Value.Surfaces.OrderByDescending(s => s.Value).ThenBy(s => s.Key.Length).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key,
                c.Value.Count,
                c.Value.Refused))
            .OrderByDescending(t => t.Count)
            .ThenByDescending(t => t.Refused)
            .ThenBy(t => t.Topic, StringComparer.Ordinal)
            .Take(max)
            .ToList();
    }
}
