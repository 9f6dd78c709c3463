using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clippings;

/// <summary>
/// Range and choice checks for one options section, run at start (<c>ValidateOnStart</c>). Each failure is one sentence
/// naming the setting, its value and what is allowed, so a host can print it as its one <c>error:</c> line.
/// </summary>
public sealed class SettingRules<T> : IValidateOptions<T> where T : class
{
    private readonly string _section;
    private readonly List<Func<T, string?>> _rules = [];

    public SettingRules(string section)
    {
        _section = section;
    }

    /// <summary>A number that must lie in [min, max].</summary>
    public SettingRules<T> Range(string name, Func<T, double> value, double min, double max, string? allowed = null)
    {
        _rules.Add(options =>
        {
            var v = value(options);
            return v >= min && v <= max ? null : Failure(name, v.ToString(CultureInfo.InvariantCulture), allowed ?? $"{Format(min)} to {Format(max)}");
        });
        return this;
    }

    /// <summary>A time span that must lie in [min, max].</summary>
    public SettingRules<T> Range(string name, Func<T, TimeSpan> value, TimeSpan min, TimeSpan max)
    {
        _rules.Add(options =>
        {
            var v = value(options);
            return v >= min && v <= max ? null : Failure(name, v.ToString("c", CultureInfo.InvariantCulture), $"{min:c} to {max:c}");
        });
        return this;
    }

    /// <summary>A text that must be one of <paramref name="choices"/> (case-insensitive, trimmed; empty allowed when listed as "").</summary>
    public SettingRules<T> OneOf(string name, Func<T, string?> value, params string[] choices)
    {
        _rules.Add(options =>
        {
            var v = value(options)?.Trim() ?? "";
            return choices.Contains(v, StringComparer.OrdinalIgnoreCase)
                ? null
                : Failure(name, v, string.Join(" or ", choices.Where(c => c.Length > 0).Select(c => "'" + c + "'")));
        });
        return this;
    }

    /// <summary>A text that must not be empty.</summary>
    public SettingRules<T> Required(string name, Func<T, string?> value, string allowed)
    {
        _rules.Add(options => string.IsNullOrWhiteSpace(value(options)) ? Failure(name, "", allowed) : null);
        return this;
    }

    /// <summary>Any other check: returns the whole message, or null when the options are fine.</summary>
    public SettingRules<T> Rule(Func<T, string?> check)
    {
        _rules.Add(check);
        return this;
    }

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = _rules.Select(rule => rule(options)).OfType<string>().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string Failure(string name, string value, string allowed) => $"{_section}:{name} is '{value}'; allowed: {allowed}.";

    private static string Format(double value) => value switch
    {
        double.MaxValue or >= int.MaxValue => "any larger value",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}

public static class SettingRulesExtensions
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> with <paramref name="rules"/> checked at start.</summary>
    public static OptionsBuilder<T> BindValidated<T>(this IServiceCollection services, IConfiguration configuration, string section, Action<SettingRules<T>> rules)
        where T : class
    {
        var set = new SettingRules<T>(section);
        rules(set);
        services.AddSingleton<IValidateOptions<T>>(set);
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}

/// <summary>
/// Turns what configuration and options throw (a malformed JSON file, a value of the wrong type, a failed range check)
/// into one <see cref="ClippingsException"/> line, for the CLI's <c>error:</c> output and the server's start-up.
/// </summary>
public static class SettingErrors
{
    /// <summary>The clear message for a configuration failure, or null when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(Exception exception, IConfiguration? configuration = null)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return validation.Failures.FirstOrDefault() ?? validation.Message;
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                return Describe(aggregate.InnerExceptions[0], configuration);
            case InvalidDataException data when data.Message.StartsWith("Failed to load configuration from file", StringComparison.Ordinal):
                return DescribeFile(data);
            case InvalidOperationException op when op.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                return DescribeConversion(op, configuration);
            default:
                return exception.InnerException is { } inner && exception is System.Reflection.TargetInvocationException or InvalidOperationException
                    ? Describe(inner, configuration)
                    : null;
        }
    }

    private static string DescribeFile(InvalidDataException data)
    {
        // "Failed to load configuration from file 'PATH'." with a FormatException whose inner JsonException has the position.
        var start = data.Message.IndexOf('\'', StringComparison.Ordinal);
        var end = data.Message.LastIndexOf('\'');
        var file = start >= 0 && end > start ? data.Message[(start + 1)..end] : "the settings file";
        for (var inner = data.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException { LineNumber: { } line } json)
            {
                return $"{file} is not valid JSON at line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1}. Fix or remove the file.";
            }
        }

        var reason = data.InnerException?.Message.TrimEnd('.') ?? "it could not be read";
        return $"{file} is not a valid settings file ({reason}); it must hold one JSON object. Fix or remove the file.";
    }

    private static string DescribeConversion(InvalidOperationException op, IConfiguration? configuration)
    {
        // .NET 10: "Failed to convert configuration value 'VALUE' at 'Clippings:X' to type 'System.Int32'." (older: no value).
        var match = System.Text.RegularExpressions.Regex.Match(op.Message, "value (?:'(?<value>.*)' )?at '(?<key>[^']*)' to type '(?<type>[^']*)'");
        var key = match.Success ? match.Groups["key"].Value : "a setting";
        var type = match.Success ? match.Groups["type"].Value : "its type";
        var value = match.Groups["value"].Success ? match.Groups["value"].Value : configuration?[key];
        var expected = type switch
        {
            "System.Int32" or "System.Int64" or "System.UInt32" => "a whole number",
            "System.Double" or "System.Single" => "a number such as 0.5",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:30:00",
            _ => "a value of type " + type,
        };
        return $"{key} is '{value}'; allowed: {expected}.";
    }
}
