namespace Clippings.Archive;

/// <summary>
/// A span of an article's <see cref="Article.Text"/>: <c>Text == article.Text[Start..End]</c>.
/// </summary>
public sealed record Passage(string ArticleId, int Ordinal, int Start, int End, string Text);
