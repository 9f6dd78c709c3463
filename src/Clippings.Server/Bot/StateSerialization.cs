using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace Clippings.Server.Bot;

/// <summary>
/// How the bot's state stores (SQLite, Redis) write items: JSON with their .NET types, like <see cref="Microsoft.Bot.Builder.MemoryStorage"/>,
/// but only types of this application, the Bot Framework and the base library may be read back.
/// </summary>
internal static class StateSerialization
{
    public static JsonSerializer CreateSerializer() => JsonSerializer.Create(new JsonSerializerSettings
    {
        TypeNameHandling = TypeNameHandling.All,
        SerializationBinder = new ApplicationTypesBinder(),
        MaxDepth = 64,
    });

    /// <summary>Reads back only types of the application, the Bot Framework and the base library (no arbitrary type from the file).</summary>
    private sealed class ApplicationTypesBinder : DefaultSerializationBinder
    {
        private static readonly string[] AllowedAssemblyPrefixes = ["System.", "mscorlib", "Microsoft.Bot.", "Clippings", "Newtonsoft.Json"];

        public override Type BindToType(string? assemblyName, string typeName)
        {
            if (assemblyName is not null && !AllowedAssemblyPrefixes.Any(p => assemblyName.StartsWith(p, StringComparison.Ordinal)))
            {
                throw new JsonSerializationException($"Type '{typeName}' from '{assemblyName}' is not allowed in the bot state store.");
            }

            return base.BindToType(assemblyName, typeName);
        }
    }
}
