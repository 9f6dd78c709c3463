namespace Clippings.Storage;

/// <summary>How every index groups author names: case and repeated spaces do not make another author.</summary>
internal static class AuthorNames
{
    public static string Key(string name) => string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
