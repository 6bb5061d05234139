using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>A temporary request log directory and what the gateway wrote into it, read as a shipper would (while it grows).</summary>
public sealed class LogFolder : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Path => _folder.Path;

    /// <summary>Every file's text, for checks that something never appears anywhere.</summary>
    public string AllText() => string.Join("\n", Files("*").Select(Read));

    public IReadOnlyList<RequestLogRecord> Requests() =>
        [.. Lines("requests").Select(l => JsonSerializer.Deserialize(l, RequestLogJson.Default.RequestLogRecord)!)];

    public IReadOnlyList<ExplorationRecord> Explorations() =>
        [.. Lines("exploration").Select(l => JsonSerializer.Deserialize(l, RequestLogJson.Default.ExplorationRecord)!)];

    /// <summary>Waits (bounded) until the log holds a record of <paramref name="kind"/> for <paramref name="requestId"/>.</summary>
    public Task<RequestLogRecord> RecordAsync(string requestId, string kind = RequestLogRecord.RequestKind) =>
        UntilAsync(() => Requests().LastOrDefault(r => r.RequestId == requestId && r.Kind == kind), $"a {kind} record for {requestId}");

    /// <summary>Waits (bounded) until <paramref name="read"/> finds something.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> read, string what, int timeoutMs = 15_000)
        where T : class
    {
        for (var waited = 0; waited < timeoutMs; waited += 50)
        {
            if (read() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The log never held {what}.");
    }

    /// <summary>Waits (bounded) until the asynchronous <paramref name="read"/> finds something.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> read, string what, int timeoutMs = 15_000)
        where T : class
    {
        for (var waited = 0; waited < timeoutMs; waited += 50)
        {
            if (await read() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Never found {what}.");
    }

    public IReadOnlyList<string> Files(string prefix) =>
        Directory.Exists(Path) ? [.. Directory.GetFiles(Path, prefix + "-*.jsonl").Order(StringComparer.Ordinal)] : [];

    public void Dispose() => _folder.Dispose();

    private IEnumerable<string> Lines(string prefix) =>
        Files(prefix).SelectMany(f => Read(f).Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            // A line still being written is not read yet.
            var end = text.LastIndexOf('\n');
            return end < 0 ? "" : text[..(end + 1)];
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }
}
