using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Invocation;

public enum ExpertCallStatus
{
    Ok,
    Failed,
    TimedOut,

    /// <summary>Not sent: the expert's circuit is open or it has no healthy destination.</summary>
    Skipped,
}

/// <summary>One expert call's outcome as a value: its text and usage, or why it failed. Cost counts either way.</summary>
public sealed record ExpertCallResult(
    ExpertDefinition Expert,
    ExpertCallStatus Status,
    string Content,
    int PromptTokens,
    int CompletionTokens,
    string? Error,
    TimeSpan Elapsed)
{
    public bool Succeeded => Status == ExpertCallStatus.Ok;

    /// <summary>Answered from the tenant's response cache: its usage is what the stored answer reported, and it costs nothing.</summary>
    public bool Cached { get; init; }

    /// <summary>The text reached the client live, chunk by chunk, while the call ran.</summary>
    public bool Streamed { get; init; }

    /// <summary>Attempts on the expert beyond the first (transient failures retried within the call's deadline).</summary>
    public int Retries { get; init; }

    /// <summary>The expert's <c>chat.completion</c> JSON as received (non-streamed successes), kept for the response cache.</summary>
    public string? Body { get; init; }

    /// <summary>A streamed success's server-sent events as received, kept for the response cache.</summary>
    public byte[]? RawEvents { get; init; }

    /// <summary>The expert's HTTP status when it answered with one; null for transport failures and timeouts.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The expert's Retry-After, when it sent one with a failure.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Realised cost from the expert's reported usage; a failed call reports none and a cache hit is free.</summary>
    public double CostUsd => Cached ? 0 : Expert.CostUsd(PromptTokens, CompletionTokens);

    public string StatusText => Status switch
    {
        ExpertCallStatus.Ok when Cached => "cached",
        ExpertCallStatus.Ok when Streamed => Retries > 0 ? $"streamed(retried {Retries})" : "streamed",
        ExpertCallStatus.Ok => Retries > 0 ? $"ok(retried {Retries})" : "ok",
        ExpertCallStatus.TimedOut => "timeout",
        ExpertCallStatus.Skipped => "skipped(" + Error + ")",
        _ => "failed(" + Error + ")",
    };
}
