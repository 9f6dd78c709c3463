using Clippings.Retrieval;

namespace Clippings.Tests.Retrieval;

public sealed class SeriesOrderTests
{
    [Theory]
    [InlineData("Go 1.16 is released", "go # is released")]
    [InlineData("Go 1.27 is released", "go # is released")]
    [InlineData("The Spectator, No. 335", "the spectator, no. #")]
    [InlineData("Where the Money Goes in 2019", "where the money goes in #")]
    [InlineData("The Laws of Reflection", "the laws of reflection")]
    public void Titles_of_one_numbered_series_share_a_template(string title, string template) =>
        Assert.Equal(template, ArchiveRetriever.TitleTemplate(title));
}
