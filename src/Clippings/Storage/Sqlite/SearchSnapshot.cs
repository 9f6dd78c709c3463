namespace Clippings.Storage.Sqlite;

/// <summary>
/// One committed state of the SQLite index held in memory for searching: the passage vectors and the BM25 postings over
/// the same rows, loaded together from one read transaction and replaced together when an ingest commits.
/// </summary>
internal sealed record SearchSnapshot(VectorCache Vectors, Bm25Index Terms);
