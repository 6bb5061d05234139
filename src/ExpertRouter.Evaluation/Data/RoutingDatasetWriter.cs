using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ExpertRouter.Evaluation.Data;

/// <summary>Writes records in the routing schema as JSONL, gzip-compressed when the path ends in .gz.</summary>
public static class RoutingDatasetWriter
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = EvaluationJson.Default };
    private static readonly JsonTypeInfo<RoutingRecord> RecordJson = (JsonTypeInfo<RoutingRecord>)Json.GetTypeInfo(typeof(RoutingRecord));

    /// <summary>One record as one JSONL line (no newline), as <see cref="Write"/> writes it.</summary>
    public static string Line(RoutingRecord record) => JsonSerializer.Serialize(record, RecordJson);

    public static void Write(string path, IEnumerable<RoutingRecord> records)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        using var file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Optimal)
            : file;
        using var writer = new StreamWriter(output);
        foreach (var record in records)
        {
            writer.WriteLine(JsonSerializer.Serialize(record, RecordJson));
        }
    }
}
