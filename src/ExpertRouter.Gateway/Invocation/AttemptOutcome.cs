using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>How one attempt on one expert ended: one typed value per attempt, in the manner of YARP's <see cref="ForwarderError"/>.</summary>
public enum AttemptOutcome
{
    /// <summary>The expert's answer reached the consumer (a success, or an error status meant for the client).</summary>
    Answered,

    /// <summary>The consumer left first; nothing more is owed to it.</summary>
    ClientGone,

    /// <summary>Not sent: every destination of the expert is unhealthy.</summary>
    NoDestination,

    /// <summary>Not sent: the expert's circuit (shared, or the tenant's own) is open.</summary>
    CircuitOpen,

    /// <summary>Not sent: the expert is at its quota, or its provider said to wait until a reset; see <see cref="Attempt.RetryAfter"/>.</summary>
    OverCapacity,

    /// <summary>The forwarder failed before any byte of the answer (connect, reset, send); see <see cref="Attempt.Error"/>.</summary>
    TransportFailed,

    /// <summary>Nothing arrived within the expert's first-token limit.</summary>
    FirstTokenTimeout,

    /// <summary>The answer was still unfinished at the expert's total limit.</summary>
    TotalTimeout,

    /// <summary>A status another attempt may do better with (408, 429, 5xx, Anthropic's 529), held back from the consumer.</summary>
    RetryableStatus,

    /// <summary>Failed after part of the answer reached the consumer: too late to try again.</summary>
    BrokenMidway,
}

/// <summary>What one attempt says about the expert's health, for its circuits.</summary>
public enum AttemptVerdict
{
    /// <summary>The expert answered (any answer it meant to give, 4xx included).</summary>
    Healthy,

    /// <summary>The expert's transport failed: timeouts, resets, 502/503/504 (529). Counts against the expert for everyone.</summary>
    Failed,

    /// <summary>
    /// A 500-like failure that the request's content may have caused: it counts against the expert for the tenant that
    /// sent it, and for everyone only when several tenants see it.
    /// </summary>
    ContentFailed,

    /// <summary>Says nothing about health (a 429, a skip, or the consumer left first).</summary>
    Neutral,
}

/// <summary>One attempt on one expert, as a value.</summary>
/// <param name="Status">The expert's HTTP status when one arrived; 0 otherwise.</param>
/// <param name="Error">The forwarder's error, for <see cref="AttemptOutcome.TransportFailed"/> and <see cref="AttemptOutcome.BrokenMidway"/>.</param>
/// <param name="RetrySameExpert">A transient failure another try on the same expert may cure.</param>
public readonly record struct Attempt(
    string Expert, AttemptOutcome Outcome, int Status = 0, ForwarderError Error = ForwarderError.None, bool RetrySameExpert = false, TimeSpan? RetryAfter = null)
{
    /// <summary>The attempt did not answer, and the consumer is still waiting: the next expert may.</summary>
    public bool Failed => Outcome is not (AttemptOutcome.Answered or AttemptOutcome.ClientGone);

    /// <summary>The attempt was never sent.</summary>
    public bool Skipped => Outcome is AttemptOutcome.NoDestination or AttemptOutcome.CircuitOpen or AttemptOutcome.OverCapacity;

    /// <summary>Why it failed, as the <c>x-expertrouter-fallbacks</c> header and the logs say it.</summary>
    public string Reason => Outcome switch
    {
        AttemptOutcome.RetryableStatus => "HTTP " + Status,
        AttemptOutcome.TransportFailed => Error.ToString(),
        AttemptOutcome.NoDestination => "unhealthy",
        AttemptOutcome.CircuitOpen => "circuit-open",
        AttemptOutcome.OverCapacity => "capacity",
        AttemptOutcome.BrokenMidway => "stream broke mid-way",
        _ => Outcome.ToString(),
    };

    public AttemptVerdict Verdict => Outcome switch
    {
        AttemptOutcome.Answered or AttemptOutcome.RetryableStatus => Status switch
        {
            408 or 429 => AttemptVerdict.Neutral,
            502 or 503 or 504 or 529 => AttemptVerdict.Failed,
            >= 500 => AttemptVerdict.ContentFailed,
            _ => AttemptVerdict.Healthy,
        },
        AttemptOutcome.TransportFailed or AttemptOutcome.FirstTokenTimeout or AttemptOutcome.TotalTimeout or AttemptOutcome.BrokenMidway => AttemptVerdict.Failed,
        _ => AttemptVerdict.Neutral,
    };

    /// <summary>A timeout, as the client's 504 and the ensembles' <c>timeout</c> status say it.</summary>
    public bool TimedOut => Outcome is AttemptOutcome.FirstTokenTimeout or AttemptOutcome.TotalTimeout
        || (Outcome == AttemptOutcome.TransportFailed && Error == ForwarderError.RequestTimedOut);
}
