using Clippings.Archive;

namespace Clippings.Ingestion;

/// <summary>
/// The text a passage is embedded as: the article's title, authors and section in front of the passage's own words.
/// A passage in the middle of a piece rarely names its subject or its writer; with them in front, "the post on
/// declaration syntax" or "Holt's column about the crane" finds it. Only the vector sees this text: the stored
/// passage (and every quote and offset) stays the article's own words.
/// </summary>
public static class PassageContext
{
    /// <summary>Part of the embedding space's id when passages carry context; changes whenever <see cref="EmbeddingText"/> does.</summary>
    public const string Version = "context-v1";

    public static string EmbeddingText(Article article, string passageText)
    {
        var head = article.Title.Trim();
        if (article.Authors.Count > 0)
        {
            head += " — " + string.Join(", ", article.Authors);
        }

        head += ".";
        if (!string.IsNullOrWhiteSpace(article.Section) && !string.Equals(article.Section, article.Title, StringComparison.OrdinalIgnoreCase))
        {
            head += " " + article.Section.Trim() + ".";
        }

        return head + "\n\n" + passageText;
    }
}
