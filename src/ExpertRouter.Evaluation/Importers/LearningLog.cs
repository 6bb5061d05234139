using System.IO.Compression;
using System.Text.Json;
using ExpertRouter.Core.Feedback;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// What the gateway logged for learning: request and feedback records (<c>requests-*.jsonl</c>, or the
/// <c>er:log:requests</c> stream) and exploration records (<c>exploration-*.jsonl</c>, <c>er:log:exploration</c>), in
/// log order, read with the gateway's own JSON contract (<see cref="RequestLogJson"/>). A line that is not a record
/// (a torn last line of a file still being written, a hand edit) is counted in <see cref="Unreadable"/>, not fatal.
/// </summary>
public sealed record LearningLog(IReadOnlyList<RequestLogRecord> Requests, IReadOnlyList<ExplorationRecord> Explorations)
{
    public const string RequestFilePattern = "requests-*.jsonl*";
    public const string ExplorationFilePattern = "exploration-*.jsonl*";

    public int Unreadable { get; init; }

    public static LearningLog Empty { get; } = new([], []);

    /// <summary>Every request and exploration file of a log directory (and its sub-folders, where archives go), oldest name first.</summary>
    public static LearningLog ReadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No request log directory '{directory}'.");
        }

        var requests = Files(directory, RequestFilePattern).SelectMany(ReadLines);
        var explorations = Files(directory, ExplorationFilePattern).SelectMany(ReadLines);
        return Parse(requests, explorations);
    }

    /// <summary>Parses JSON lines of each kind (a file's lines, or the <c>json</c> field of stream entries).</summary>
    public static LearningLog Parse(IEnumerable<string> requestLines, IEnumerable<string> explorationLines)
    {
        var unreadable = 0;
        var requests = Read(requestLines, RequestLogJson.Default.RequestLogRecord, ref unreadable);
        var explorations = Read(explorationLines, RequestLogJson.Default.ExplorationRecord, ref unreadable);
        return new LearningLog(requests, explorations) { Unreadable = unreadable };
    }

    public LearningLog Concat(LearningLog other) =>
        new([.. Requests, .. other.Requests], [.. Explorations, .. other.Explorations]) { Unreadable = Unreadable + other.Unreadable };

    private static List<T> Read<T>(IEnumerable<string> lines, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, ref int unreadable)
        where T : class
    {
        var records = new List<T>();
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(line, type) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                unreadable++;
            }
        }

        return records;
    }

    private static IEnumerable<string> Files(string directory, string pattern) =>
        Directory.EnumerateFiles(directory, pattern, SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jsonl", StringComparison.Ordinal) || f.EndsWith(".jsonl.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>A file the gateway may still be writing: shared for writing, and a last line without its newline is not yet a line.</summary>
    private static IEnumerable<string> ReadLines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using Stream text = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(text);
        var content = reader.ReadToEnd();
        var end = content.LastIndexOf('\n');
        if (end < 0)
        {
            yield break;
        }

        foreach (var line in content[..end].Split('\n'))
        {
            yield return line;
        }
    }
}
