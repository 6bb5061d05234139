using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.OpenAI.Usage;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// One call to experts: who may answer, in the order to try them, and what to send. The same description serves a
/// client's forwarded request and every background call (ensemble members, judges, labelling).
/// </summary>
public sealed record ExpertCall
{
    public required string RequestId { get; init; }

    /// <summary>The tenant the call is made for: its view of each expert's circuit decides as well as the shared one.</summary>
    public required string TenantId { get; init; }

    /// <summary>The experts to try, in order.</summary>
    public required IReadOnlyList<ExpertDefinition> Experts { get; init; }

    /// <summary>How many of <see cref="Experts"/> may be tried; experts skipped without a call do not count.</summary>
    public int MaxExperts { get; init; } = 1;

    /// <summary>The path below an expert's base URL, such as <c>/chat/completions</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The JSON body.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// The byte range of the body's top-level <c>model</c> string token (quotes included): when set, each expert gets
    /// the body with that token replaced by its own backend model name; when null the body is sent as it is.
    /// </summary>
    public Range? ModelToken { get; init; }

    /// <summary>The request in the client's own API, for the experts that speak it natively; null for chat and background calls.</summary>
    public NativeRequest? Native { get; init; }

    /// <summary>Caps each attempt's total time below the expert's own limit (an ensemble's per-call timeout).</summary>
    public TimeSpan? MaxAttemptTime { get; init; }

    /// <summary>The request's estimated prompt tokens: with <see cref="Answers"/>, what a call counts against an expert's token quota until its usage is known.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Answers asked for (<c>n</c>); 0 for embeddings, which produce no output tokens.</summary>
    public int Answers { get; init; } = 1;

    /// <summary>Where the answer's usage can be read once an attempt has relayed it, to settle the expert's token quota; null: settle the estimate.</summary>
    public IUsageSource? Usage { get; init; }

    /// <summary>Called as an expert's answer starts to reach the consumer, with the failed attempts before it: for response headers.</summary>
    public Action<HttpContext, ExpertDefinition, IReadOnlyList<Attempt>>? OnRelaying { get; init; }

    /// <summary>Whether an attempt on <paramref name="expert"/> sends <see cref="Native"/> rather than the chat body.</summary>
    public bool IsNativeFor(ExpertDefinition expert) => Native?.IsFor(expert) == true;
}

/// <summary>
/// How a call ended: the expert whose answer reached the consumer (null when none did; its answer may have broken
/// mid-way, see <see cref="Last"/>), every failed attempt, the last attempt, and how many tries the last expert took
/// (a transient failure retried on the same expert makes two).
/// </summary>
public sealed record InvocationResult(ExpertDefinition? AnsweredBy, IReadOnlyList<Attempt> Failed, Attempt? Last, TimeSpan UpstreamTime, int TriesOnLast = 1)
{
    /// <summary>Set when an expert was passed over for capacity: the earliest of their resets, the Retry-After of a 429 when none could be tried.</summary>
    public TimeSpan? CapacityRetryAfter { get; init; }

    /// <summary>No expert could even be tried: each was unhealthy or had its circuit open.</summary>
    public bool NoneAvailable => Last is null || Last.Value.Skipped;

    public bool ClientGone => Last is { Outcome: AttemptOutcome.ClientGone };

    public bool BrokenMidway => Last is { Outcome: AttemptOutcome.BrokenMidway };

    /// <summary>
    /// Nothing answered because every expert was over capacity (its quota, or its provider's 429): the client is told
    /// to come back after <see cref="CapacityRetryAfter"/> rather than that the experts failed.
    /// </summary>
    public bool OverCapacity => AnsweredBy is null && CapacityRetryAfter is not null && !ClientGone
        && Failed.All(IsCapacity) && (Last is not { } last || last.Skipped || IsCapacity(last));

    private static bool IsCapacity(Attempt attempt) =>
        attempt.Outcome == AttemptOutcome.OverCapacity || (attempt.Outcome == AttemptOutcome.RetryableStatus && attempt.Status == 429);
}
