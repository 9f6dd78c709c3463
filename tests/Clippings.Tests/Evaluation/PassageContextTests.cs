using Clippings.Archive;
using Clippings.Embeddings;
using Clippings.Ingestion;
using Clippings.Storage;

namespace Clippings.Tests.Measuring;

/// <summary>Passages embedded with their article's context (Clippings:Embeddings:PassageContext), measured by the evaluation.</summary>
public sealed class PassageContextEvaluationTests
{
    [Fact]
    public void The_embedded_text_carries_title_authors_and_section_and_the_passage_unchanged()
    {
        var article = new Article { Id = "a", Title = "The Crane on Gull Quay", Authors = ["Maren Holt"], Section = "Tidelines", Text = "The red crane is to stay." };
        Assert.Equal("The Crane on Gull Quay — Maren Holt. Tidelines.\n\nThe red crane is to stay.", PassageContext.EmbeddingText(article, article.Text));
    }

    [Fact]
    public void Context_embeddings_are_another_embedding_space()
    {
        var space = new EmbeddingSpace("local:model", 384);
        Assert.Equal(space, new ArchiveEmbedder(null!, space, null).Space);
        Assert.NotEqual(space.EmbedderId, new ArchiveEmbedder(null!, space, null, passageContext: true).Space.EmbedderId);
    }
}
