using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>The request log's JSONL files: <c>requests-*.jsonl</c> (requests and feedback) and <c>exploration-*.jsonl</c>.</summary>
internal sealed class FileLogSink(RequestLogOptions options, TimeProvider time) : IRequestLogSink, IDisposable
{
    public const string RequestsPrefix = "requests";
    public const string ExplorationPrefix = "exploration";

    private readonly JsonlFileLog _requests = new(Path.GetFullPath(options.Directory!), RequestsPrefix, options, time);
    private readonly JsonlFileLog _exploration = new(Path.GetFullPath(options.Directory!), ExplorationPrefix, options, time);

    public async ValueTask WriteAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        await _requests.AppendAsync(lines.Where(l => l.Stream == LogStream.Requests).Select(l => l.Json), cancellationToken);
        if (lines.Any(l => l.Stream == LogStream.Exploration))
        {
            await _exploration.AppendAsync(lines.Where(l => l.Stream == LogStream.Exploration).Select(l => l.Json), cancellationToken);
        }
    }

    public void Dispose()
    {
        _requests.Dispose();
        _exploration.Dispose();
    }
}
