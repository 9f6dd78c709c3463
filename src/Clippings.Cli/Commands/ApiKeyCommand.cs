using System.CommandLine;
using Clippings.Server.Api;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings api-key [--name NAME] [--key KEY]</c>: makes an API key (or hashes one) and prints its configuration.</summary>
internal static class ApiKeyCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Who the key is for (logged with its requests).", DefaultValueFactory = _ => "editor" };
        var key = new Option<string?>("--key") { Description = "Hash this existing key instead of making a new one." };
        var command = new Command("api-key", "Make an API key for the editors' JSON API and print the hash to configure.") { name, key };
        command.SetAction(parse =>
        {
            var value = parse.GetValue(key) ?? ApiKeys.Generate();
            var hash = ApiKeys.Hash(value);
            var owner = parse.GetValue(name)!;
            if (parse.GetValue(key) is null)
            {
                Console.Out.WriteLine($"API key (give it to {owner}; it is not stored anywhere): {value}");
            }

            Console.Out.WriteLine($"SHA-256: {hash}");
            Console.Out.WriteLine("Add to appsettings.json under Clippings:Api:Keys (or set Clippings__Api__Keys__0__Name / __Sha256):");
            Console.Out.WriteLine($$"""  { "Name": "{{owner}}", "Sha256": "{{hash}}" }""");
            Console.Out.WriteLine($"Clients send it as the {ApiKeys.HeaderName} header.");
            return 0;
        });
        return command;
    }
}
