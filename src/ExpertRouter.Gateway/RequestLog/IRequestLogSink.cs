namespace ExpertRouter.Gateway.RequestLog;

/// <summary>Which log a line belongs to: requests and feedback, or exploration records (routing-data schema).</summary>
public enum LogStream
{
    Requests,
    Exploration,
}

/// <summary>One serialised record (UTF-8 JSON, no newline) and what a store may want to index it by.</summary>
public readonly record struct LogLine(LogStream Stream, string Tenant, string Kind, byte[] Json);

/// <summary>
/// Where the request log's lines go. Called from the log's background worker only, one batch at a time; a sink that
/// fails throws, and a sink that stalls only fills the queue (new records are then dropped, requests never wait).
/// </summary>
public interface IRequestLogSink
{
    ValueTask WriteAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken);
}
