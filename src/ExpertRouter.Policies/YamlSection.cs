using System.Globalization;
using ExpertRouter.Core.Tenants;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExpertRouter.Policies;

/// <summary>
/// Reads typed values out of one YAML mapping and records every problem with its line, instead of stopping at the
/// first as a deserializer would. Keys it was never asked about are reported as unknown (usually typos).
/// </summary>
internal sealed class YamlSection(string file, YamlMappingNode node, List<PolicyError> errors, string path)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Mark Start => node.Start;

    public void Error(Mark at, string message) => errors.Add(new PolicyError(file, (int)at.Line, (int)at.Column, message));

    public Mark At(string key) => Find(key) is { } entry ? entry.Key.Start : node.Start;

    /// <summary>Where a dotted path (<c>budgets.dailyUsd</c>) is written, or its nearest written parent.</summary>
    public Mark AtPath(string dottedPath) => Walk(dottedPath).Mark;

    public bool HasPath(string dottedPath) => Walk(dottedPath) is { Found: true, Value: var value } && !IsNull(value);

    private (Mark Mark, bool Found, YamlNode Value) Walk(string dottedPath)
    {
        YamlNode current = node;
        var mark = node.Start;
        foreach (var part in dottedPath.Split('.'))
        {
            if (current is not YamlMappingNode mapping)
            {
                return (mark, false, current);
            }

            var entry = mapping.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: { } name } && name == part);
            if (entry.Key is null)
            {
                return (mark, false, current);
            }

            mark = entry.Key.Start;
            current = entry.Value;
        }

        return (mark, true, current);
    }

    public string? String(string key, bool required = false)
    {
        var value = Scalar(key, required);
        return value?.Value;
    }

    public double? Double(string key)
    {
        var scalar = Scalar(key, required: false);
        if (scalar is null)
        {
            return null;
        }

        if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Error(scalar.Start, $"'{Name(key)}' must be a number, not '{scalar.Value}'.");
        return null;
    }

    public int? Int(string key)
    {
        var scalar = Scalar(key, required: false);
        if (scalar is null)
        {
            return null;
        }

        if (int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(scalar.Start, $"'{Name(key)}' must be a whole number, not '{scalar.Value}'.");
        return null;
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key, required: false);
        if (scalar is null)
        {
            return null;
        }

        if (bool.TryParse(scalar.Value, out var value))
        {
            return value;
        }

        Error(scalar.Start, $"'{Name(key)}' must be true or false, not '{scalar.Value}'.");
        return null;
    }

    public IReadOnlyList<(string Value, Mark At)> StringList(string key)
    {
        if (Get(key) is not { } value)
        {
            return [];
        }

        if (value is not YamlSequenceNode sequence)
        {
            Error(value.Start, $"'{Name(key)}' must be a list.");
            return [];
        }

        var items = new List<(string, Mark)>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text })
            {
                items.Add((text, item.Start));
            }
            else
            {
                Error(item.Start, $"Every item of '{Name(key)}' must be a non-empty string.");
            }
        }

        return items;
    }

    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        if (Get(key) is not { } value)
        {
            return new Dictionary<string, string>();
        }

        if (value is not YamlMappingNode mapping)
        {
            Error(value.Start, $"'{Name(key)}' must be a mapping of names to strings.");
            return new Dictionary<string, string>();
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: { Length: > 0 } name } && v is YamlScalarNode { Value: { } text })
            {
                map[name] = text;
            }
            else
            {
                Error(k.Start, $"Every entry of '{Name(key)}' must be a name with a string value.");
            }
        }

        return map;
    }

    public YamlSection? Section(string key)
    {
        if (Get(key) is not { } value)
        {
            return null;
        }

        if (value is YamlMappingNode mapping)
        {
            return new YamlSection(file, mapping, errors, Name(key));
        }

        Error(value.Start, $"'{Name(key)}' must be a mapping.");
        return null;
    }

    public void ReportUnknownKeys()
    {
        foreach (var key in node.Children.Keys)
        {
            if (key is YamlScalarNode { Value: { } name } && !_read.Contains(name))
            {
                Error(key.Start, $"Unknown setting '{(path.Length == 0 ? name : path + "." + name)}'.");
            }
        }
    }

    private YamlNode? Get(string key)
    {
        _read.Add(key);
        return Find(key) is { } entry && !IsNull(entry.Value) ? entry.Value : null;
    }

    private YamlScalarNode? Scalar(string key, bool required)
    {
        var value = Get(key);
        if (value is null)
        {
            if (required)
            {
                Error(node.Start, $"'{Name(key)}' is required.");
            }

            return null;
        }

        if (value is YamlScalarNode scalar)
        {
            return scalar;
        }

        Error(value.Start, $"'{Name(key)}' must be a single value.");
        return null;
    }

    private KeyValuePair<YamlNode, YamlNode>? Find(string key)
    {
        foreach (var entry in node.Children)
        {
            if (entry.Key is YamlScalarNode { Value: { } name } && name == key)
            {
                return entry;
            }
        }

        return null;
    }

    private string Name(string key) => path.Length == 0 ? key : path + "." + key;

    private static bool IsNull(YamlNode value) =>
        value is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}
