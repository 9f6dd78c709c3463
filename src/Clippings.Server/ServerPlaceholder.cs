namespace Clippings.Server;

internal static class ServerAssembly
{
}
