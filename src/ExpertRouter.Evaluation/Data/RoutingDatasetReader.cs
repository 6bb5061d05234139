using System.IO.Compression;
using System.Text.Json;

namespace ExpertRouter.Evaluation.Data;

/// <summary>Reads gzip (or plain) JSONL files in the routing-data schema.</summary>
public static class RoutingDatasetReader
{
    public const string DefaultDataDirectory = "../shared/data/routing";

    /// <summary>Streams records, keeping only the given splits (all when <paramref name="splits"/> is empty).</summary>
    public static IEnumerable<RoutingRecord> Read(string path, params string[] splits) =>
        Read(path, splits, includeResponses: true);

    /// <summary>Streams records of the given splits; responses are left null unless <paramref name="includeResponses"/>.</summary>
    public static IEnumerable<RoutingRecord> Read(string path, IReadOnlyCollection<string> splits, bool includeResponses) =>
        Read(path, splits, includeResponses, includeOutcomes: true);

    /// <summary>
    /// As above; with <paramref name="includeOutcomes"/> false the outcomes are never parsed (records come back with
    /// none), which is how route-batch guarantees a router cannot see the test answers.
    /// </summary>
    public static IEnumerable<RoutingRecord> Read(
        string path, IReadOnlyCollection<string> splits, bool includeResponses, bool includeOutcomes)
    {
        var lineNumber = 0;
        foreach (var line in ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || !RoutingRecordParser.SplitMatches(line, splits))
            {
                continue;
            }

            RoutingRecord record;
            try
            {
                record = RoutingRecordParser.Parse(line, includeResponses, includeOutcomes);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a routing record ({ex.Message})", ex);
            }

            if (splits.Count == 0 || splits.Contains(record.Split, StringComparer.Ordinal))
            {
                yield return record;
            }
        }
    }

    /// <summary>Loads a whole source such as <c>zeroeval:train</c> (see <see cref="ParseSource"/>), without responses.</summary>
    public static IReadOnlyList<RoutingRecord> Load(
        string source, string dataDirectory = DefaultDataDirectory, bool includeOutcomes = true)
    {
        var (path, splits) = ParseSource(source, dataDirectory);
        return Read(path, splits, includeResponses: false, includeOutcomes).ToList();
    }

    private static IEnumerable<byte[]> ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        var buffer = new byte[1 << 20];
        var line = new MemoryStream();
        int read;
        while ((read = text.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, read - start).IndexOf((byte)'\n')) >= 0)
            {
                var i = start + newline;
                line.Write(buffer, start, i - start);
                yield return TrimmedLine(line);
                line.SetLength(0);
                start = i + 1;
            }

            line.Write(buffer, start, read - start);
        }

        if (line.Length > 0)
        {
            yield return TrimmedLine(line);
        }
    }

    private static byte[] TrimmedLine(MemoryStream line)
    {
        var span = line.GetBuffer().AsSpan(0, (int)line.Length).Trim("\r\t "u8);
        return span.ToArray();
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
