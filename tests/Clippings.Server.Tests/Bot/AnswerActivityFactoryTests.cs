using Clippings.Answering;
using Clippings.Server.Bot;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Bot;

public class AnswerActivityFactoryTests
{
    [Fact]
    public void TwoQuotesFromOnePieceGetTwoDistinctReferenceNames()
    {
        var answer = new Answer
        {
            Text = "“They are small, briny and expensive: 3 pounds each.” [1] “Each oyster is sold with a tag showing the bed it came from.” [2]",
            Citations =
            [
                new Citation(1, "oysters", "The Oysters Come Back to Skerry", ["Tobias Achterberg"], "The Harbour Review", "2025-10-04", "https://example.org/oysters", "They are small, briny and expensive: 3 pounds each.", 10, 61),
                new Citation(2, "oysters", "The Oysters Come Back to Skerry", ["Tobias Achterberg"], "The Harbour Review", "2025-10-04", "https://example.org/oysters", "Each oyster is sold with a tag showing the bed it came from.", 62, 121),
            ],
        };

        var entity = AnswerActivityFactory.CreateMessageEntity(answer, "webchat");
        var names = JObject.FromObject(entity.Properties)["citation"]!.Select(c => (string?)c["appearance"]!["name"]).ToList();

        Assert.Equal(["The Oysters Come Back to Skerry", "The Oysters Come Back to Skerry — “Each oyster is sold with a…”"], names);
        Assert.All(names, n => Assert.True(n!.Length <= AnswerActivityFactory.MaxNameLength));
    }
}
