using System.IO.Compression;
using System.Text.Json;

namespace ExpertRouter.Evaluation.Data;

/// <summary>Reads gzip (or plain) JSONL files in the routing-data schema.</summary>
public static class RoutingDatasetReader
{
    public const string DefaultDataDirectory = "../shared/data/routing";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = false };

    /// <summary>Streams records, keeping only the given splits (all when <paramref name="splits"/> is empty).</summary>
    public static IEnumerable<RoutingRecord> Read(string path, params string[] splits)
    {
        using var file = File.OpenRead(path);
        using Stream text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        using var reader = new StreamReader(text);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            RoutingRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<RoutingRecord>(line, Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a routing record ({ex.Message})", ex);
            }

            if (record is null || (splits.Length > 0 && !splits.Contains(record.Split, StringComparer.Ordinal)))
            {
                continue;
            }

            yield return record;
        }
    }

    /// <summary>
    /// Resolves a path argument such as <c>zeroeval:train</c>, <c>mmlupro.jsonl.gz:dev</c> or a file path with an
    /// optional <c>:split</c> suffix; bare names are looked up in <paramref name="dataDirectory"/>.
    /// </summary>
    public static (string Path, string[] Splits) ParseSource(string source, string dataDirectory = DefaultDataDirectory)
    {
        var splits = Array.Empty<string>();
        var colon = source.LastIndexOf(':');
        if (colon > 1 && source[(colon + 1)..] is "train" or "dev" or "test" or "train+dev")
        {
            splits = source[(colon + 1)..].Split('+');
            source = source[..colon];
        }

        if (File.Exists(source))
        {
            return (source, splits);
        }

        foreach (var candidate in new[] { source, source + ".jsonl.gz", source + ".jsonl" })
        {
            var inData = Path.Combine(dataDirectory, candidate);
            if (File.Exists(inData))
            {
                return (inData, splits);
            }
        }

        throw new FileNotFoundException($"No routing data file '{source}' (looked in '{dataDirectory}' too).", source);
    }
}
