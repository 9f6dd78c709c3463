namespace Clippings.Storage.Qdrant;

public static class QdrantIndexFactory
{
    public static IArchiveIndex Create(IndexOptions options, IServiceProvider services) =>
        throw new ClippingsException("Qdrant support is not built in this version.");
}
