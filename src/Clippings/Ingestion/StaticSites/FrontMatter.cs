using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Clippings.Ingestion.StaticSites;

/// <summary>
/// A document's front matter, split from its body. Values are normalised to string, bool, list or nested dictionary,
/// whatever the source syntax (YAML between <c>---</c>, TOML between <c>+++</c>, a JSON object at the top).
/// </summary>
public sealed record FrontMatterDocument(IReadOnlyDictionary<string, object?> Fields, string Body, string? Syntax, IReadOnlyList<string> Warnings)
{
    public bool HasFrontMatter => Syntax is not null;

    public string? Scalar(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Fields.TryGetValue(key, out var value) && FrontMatter.AsScalar(value) is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>The value as a list of strings: a list, or a single scalar (split on spaces when <paramref name="spaceSeparated"/>, as Jekyll does for categories).</summary>
    public IReadOnlyList<string> List(string key, bool spaceSeparated = false) =>
        Fields.TryGetValue(key, out var value) ? value switch
        {
            IReadOnlyList<object?> list => list.Select(FrontMatter.AsScalar).OfType<string>().Where(v => v.Length > 0).ToList(),
            _ when FrontMatter.AsScalar(value) is { Length: > 0 } s => spaceSeparated ? s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [s],
            _ => [],
        } : [];

    /// <summary>True, false or null (absent or not a boolean); accepts YAML 1.1 words (yes/no/on/off) as Ruby and PyYAML do.</summary>
    public bool? Flag(string key) =>
        Fields.TryGetValue(key, out var value) ? value switch
        {
            bool b => b,
            string s => s.Trim().ToUpperInvariant() switch { "TRUE" or "YES" or "ON" => true, "FALSE" or "NO" or "OFF" => false, _ => null },
            _ => null,
        } : null;
}

/// <summary>Splits and parses front matter leniently: a post is never lost to a front-matter syntax error.</summary>
public static partial class FrontMatter
{
    /// <summary>True when the text opens with a front-matter fence (<c>---</c> or <c>+++</c> on its own line).</summary>
    public static bool StartsWithFence(string head)
    {
        var text = head.TrimStart('\uFEFF');
        return Fence().IsMatch(text);
    }

    /// <summary>Splits <paramref name="text"/> (line endings already normalised to \n) into front matter and body.</summary>
    public static FrontMatterDocument Parse(string text, bool allowJson)
    {
        var match = Fence().Match(text);
        if (match.Success)
        {
            var fence = match.Groups[1].Value;
            var start = match.Length;
            // The closing fence is the same line; YAML also allows "..." as the end of the document.
            var close = new Regex(fence == "+++" ? @"^\+\+\+[ \t]*$" : @"^(?:---|\.\.\.)[ \t]*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1)).Match(text, start);
            if (!close.Success)
            {
                // An unclosed fence: most likely a thematic break or a broken export; keep everything as body.
                return new FrontMatterDocument(new Dictionary<string, object?>(), text, null, ["the front matter is not closed; read the whole file as the body"]);
            }

            var raw = text[start..close.Index];
            var bodyStart = Math.Min(text.Length, close.Index + close.Length + 1);
            var body = text[bodyStart..];
            var warnings = new List<string>();
            var fields = fence == "+++" ? ParseToml(raw, warnings) : ParseYaml(raw, warnings);
            return new FrontMatterDocument(fields, body, fence == "+++" ? "toml" : "yaml", warnings);
        }

        if (allowJson && text.StartsWith('{') && JsonObjectEnd(text) is { } end)
        {
            var warnings = new List<string>();
            try
            {
                using var json = JsonDocument.Parse(text[..end], new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                if (FromJson(json.RootElement) is Dictionary<string, object?> fields)
                {
                    return new FrontMatterDocument(fields, text[end..].TrimStart('\n', '\r', ' '), "json", warnings);
                }
            }
            catch (JsonException)
            {
                // Not JSON front matter after all (a Markdown file may start with a brace): the whole file is body.
            }
        }

        return new FrontMatterDocument(new Dictionary<string, object?>(), text, null, []);
    }

    /// <summary>YAML with YamlDotNet; then with tabs and unquoted ": " repaired; then as plain key: value lines, with a warning.</summary>
    public static Dictionary<string, object?> ParseYaml(string yaml, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        }

        if (TryYaml(yaml, out var fields, out var error))
        {
            return fields;
        }

        if (TryYaml(Repair(yaml), out fields, out _))
        {
            return fields;
        }

        warnings.Add($"the front matter is not valid YAML ({error}); read as key: value lines");
        return KeyValueLines(yaml);
    }

    /// <summary>Any YAML, TOML or JSON data file (site author data), normalised like front matter; null when unreadable.</summary>
    public static object? ParseDataFile(string path)
    {
        var text = File.ReadAllText(path).TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        var extension = Path.GetExtension(path).ToUpperInvariant();
        try
        {
            switch (extension)
            {
                case ".JSON":
                    using (var json = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }))
                    {
                        return FromJson(json.RootElement);
                    }

                case ".TOML":
                    return ParseToml(text, []);
                default:
                    return LoadYaml(text);
            }
        }
        catch (Exception ex) when (ex is JsonException or YamlException or TomlException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static string? AsScalar(object? value) => value switch
    {
        null => null,
        string s => s.Trim(),
        bool b => b ? "true" : "false",
        IReadOnlyList<object?> or IReadOnlyDictionary<string, object?> => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool TryYaml(string yaml, out Dictionary<string, object?> fields, out string? error)
    {
        fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        error = null;
        try
        {
            switch (LoadYaml(yaml))
            {
                case null:
                    return true;
                case Dictionary<string, object?> map:
                    fields = map;
                    return true;
                default:
                    error = "not a mapping";
                    return false;
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// The first YAML document, built from parser events rather than YamlStream: duplicate keys keep the last value (as
    /// Ruby's and Python's loaders do) and aliases share their anchor's value instead of expanding it.
    /// </summary>
    private static object? LoadYaml(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        return parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, new Dictionary<string, object?>(StringComparer.Ordinal));
    }

    private static object? ReadNode(IParser parser, Dictionary<string, object?> anchors)
    {
        object? value;
        string? anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            value = scalar.Style == ScalarStyle.Plain ? scalar.Value switch
            {
                "" or "~" or "null" or "Null" or "NULL" => null,
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => scalar.Value,
            } : scalar.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequence))
        {
            anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
            var list = new List<object?>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                list.Add(ReadNode(parser, anchors));
            }

            value = list;
        }
        else if (parser.TryConsume<MappingStart>(out var mapping))
        {
            anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
            var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = AsScalar(ReadNode(parser, anchors)) ?? "";
                map[key] = ReadNode(parser, anchors);
            }

            value = map;
        }
        else if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.GetValueOrDefault(alias.Value.Value);
        }
        else
        {
            throw new YamlException($"unexpected YAML event {parser.Current}");
        }

        if (anchor is not null)
        {
            anchors[anchor] = value;
        }

        return value;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase), (map, p) => { map[p.Name] = FromJson(p.Value); return map; }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };

    private static Dictionary<string, object?> ParseToml(string toml, List<string> warnings)
    {
        try
        {
            return FromToml(TomlSerializer.Deserialize<TomlTable>(toml)) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        }
        catch (TomlException ex)
        {
            warnings.Add($"the front matter is not valid TOML ({ex.Message.Split('\n')[0]}); read as key = value lines");
            return KeyValueLines(toml);
        }
    }

    private static object? FromToml(object? value) => value switch
    {
        TomlTable table => table.Aggregate(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase), (map, p) => { map[p.Key] = FromToml(p.Value); return map; }),
        TomlTableArray tables => tables.Select(t => FromToml(t)).ToList(),
        TomlArray array => array.Select(FromToml).ToList(),
        string or bool or null => value,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Fixes what hand-written front matter gets wrong most: tab indentation and values with an unquoted ": ".</summary>
    private static string Repair(string yaml)
    {
        var lines = yaml.Split('\n').Select(line =>
        {
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            line = line[..indent].Replace("\t", "  ", StringComparison.Ordinal) + line[indent..];
            var m = UnquotedValue().Match(line);
            return m.Success ? $"{m.Groups[1].Value}: \"{m.Groups[2].Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : line;
        });
        return string.Join('\n', lines);
    }

    /// <summary>The last resort: top-level <c>key: value</c> (or <c>key = value</c>) lines, "- item" lists and indented continuations.</summary>
    private static Dictionary<string, object?> KeyValueLines(string text)
    {
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (KeyLine().Match(line) is { Success: true } m)
            {
                current = m.Groups[1].Value;
                var value = Unquote(m.Groups[2].Value.Trim());
                fields[current] = value.StartsWith('[') && value.EndsWith(']')
                    ? value[1..^1].Split(',').Select(v => (object?)Unquote(v.Trim())).Where(v => ((string)v!).Length > 0).ToList()
                    : value.Length == 0 ? null : value;
            }
            else if (current is not null && ListItem().Match(line) is { Success: true } item)
            {
                var list = fields[current] as List<object?> ?? [];
                list.Add(Unquote(item.Groups[1].Value.Trim()));
                fields[current] = list;
            }
            else if (current is not null && line.Length > 0 && char.IsWhiteSpace(line[0]) && fields[current] is string or null)
            {
                fields[current] = ((fields[current] as string) + " " + Unquote(line.Trim())).Trim();
            }
        }

        return fields;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\'') ? value[1..^1] : value;

    /// <summary>Where the JSON object that opens the text ends (one past its closing brace), or null when it never closes.</summary>
    private static int? JsonObjectEnd(string text)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i + 1;
            }
        }

        return null;
    }

    [GeneratedRegex(@"\A(---|\+\+\+)[ \t]*\r?\n")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^([A-Za-z_][\w-]*):[ \t]+([^""'\[{|>&*!#\s][^\n]*:[ \t][^\n]*)$")]
    private static partial Regex UnquotedValue();

    [GeneratedRegex(@"^([A-Za-z_][\w.-]*)[ \t]*[:=][ \t]*(.*)$")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^[ \t]*-[ \t]+(.*)$")]
    private static partial Regex ListItem();
}
