namespace Clippings.Server.Tests;

public class ServerSmokeTests
{
    [Fact]
    public void ArticleHashChangesWithText()
    {
        var a = new Clippings.Archive.Article { Id = "x", Title = "T", Text = "one" };
        var b = a with { Text = "two" };
        Assert.NotEqual(a.ContentHash, b.ContentHash);
        Assert.Equal(a.ContentHash, (a with { }).ContentHash);
    }
}
