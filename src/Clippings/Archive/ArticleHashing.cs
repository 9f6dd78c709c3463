using System.Security.Cryptography;
using System.Text;

namespace Clippings.Archive;

internal static class ArticleHashing
{
    public static string ComputeHash(Article article)
    {
        var builder = new StringBuilder();
        builder.Append(article.Id).Append('\u001f')
            .Append(article.Title).Append('\u001f')
            .AppendJoin('\u001e', article.Authors).Append('\u001f')
            .Append(article.Publication).Append('\u001f')
            .Append(article.Section).Append('\u001f')
            .Append(article.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f')
            .Append(article.DatePrecision).Append('\u001f')
            .Append(article.Url).Append('\u001f')
            .Append(article.Text);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 16));
    }
}
