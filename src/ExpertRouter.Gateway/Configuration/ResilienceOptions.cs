using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>
/// The section <c>ExpertRouter:Resilience</c>: time limits, same-expert retries, circuit breaking and active health
/// probes. Fallback to the next expert is <c>ExpertRouter:MaxFallbacks</c>.
/// </summary>
public sealed record ResilienceOptions
{
    /// <summary>Limits for experts that set none of their own.</summary>
    public ExpertTimeouts DefaultTimeouts { get; init; } = new() { ConnectSeconds = 5, FirstTokenSeconds = 120, TotalSeconds = 600 };

    /// <summary>Retries on the same expert for a transient failure before the first byte, before falling back.</summary>
    public int RetriesPerExpert { get; init; } = 1;

    /// <summary>First retry delay; later ones double, and each is jittered.</summary>
    public int RetryBaseDelayMs { get; init; } = 100;

    public int RetryMaxDelayMs { get; init; } = 2_000;

    /// <summary>A 429's Retry-After is honoured up to this; a longer wait falls back to the next expert at once.</summary>
    public double MaxRetryAfterSeconds { get; init; } = 5;

    /// <summary>Seeds retry jitter so a run can be replayed; unset draws from a shared random source.</summary>
    public int? JitterSeed { get; init; }

    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    public ActiveHealthCheckOptions ActiveHealthCheck { get; init; } = new();
}

/// <summary>
/// A circuit opens when, within one sampling window, at least <see cref="MinimumThroughput"/> attempts were judged
/// and at least <see cref="FailureRatio"/> of them failed; it stays open for the break, then lets one probe through.
/// The throughput floor keeps a rarely used expert from opening on a handful of unlucky requests.
/// </summary>
public sealed record CircuitBreakerOptions
{
    public bool Enabled { get; init; } = true;

    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 10;

    public double SamplingSeconds { get; init; } = 30;

    public double BreakSeconds { get; init; } = 30;
}

/// <summary>YARP's active probes of every expert destination (GET base URL + <see cref="Path"/>).</summary>
public sealed record ActiveHealthCheckOptions
{
    public bool Enabled { get; init; }

    public double IntervalSeconds { get; init; } = 15;

    public double TimeoutSeconds { get; init; } = 5;

    public string Path { get; init; } = "/models";
}
