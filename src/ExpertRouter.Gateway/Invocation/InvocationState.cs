using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// The call in progress on one <see cref="HttpContext"/>, shared by <see cref="ExpertInvoker"/> and
/// <see cref="ExpertTransformer"/>: which expert this attempt is on, what the transformer held back, and what failed.
/// </summary>
internal sealed class InvocationState(ExpertCall call, TimeSpan maxRetryAfter)
{
    private readonly List<Attempt> _failed = [];

    public ExpertCall Call { get; } = call;

    public ExpertDefinition Expert { get; private set; } = null!;

    /// <summary>Position of <see cref="Expert"/> in the call's experts; later positions are fallbacks.</summary>
    public int Index { get; private set; }

    public int ExpertsTried { get; private set; }

    /// <summary>The native request this attempt sends (the expert speaks the client's API), or null when it sends chat.</summary>
    public NativeRequest? Native { get; private set; }

    /// <summary>The path below the expert's base URL this attempt goes to.</summary>
    public string Path => Native?.Path ?? Call.Path;

    public int TriesOnExpert { get; set; }

    public int RetriesLeft { get; set; }

    public TimeSpan? RetryAfter { get; set; }

    /// <summary>The status the transformer held back from the consumer, so another attempt can answer instead.</summary>
    public int? HeldBack { get; set; }

    public IReadOnlyList<Attempt> Failed => _failed;

    /// <summary>The expert's quota held for the attempt in progress; settled when it ends.</summary>
    public CapacitySlot? Slot { get; set; }

    /// <summary>When the attempt's response headers arrived (a <see cref="TimeProvider"/> timestamp): its first byte.</summary>
    public long? HeadersAt { get; set; }

    /// <summary>The base URL index the attempt went to (-1 while none is picked), for a provider's per-base-URL signals.</summary>
    public int BaseUrl { get; set; } = -1;

    /// <summary>The previous try on this expert, which stands when a retry cannot be sent for capacity.</summary>
    public Attempt? PreviousTry { get; set; }

    /// <summary>The earliest reset among the experts passed over for capacity; null while none was.</summary>
    public TimeSpan? CapacityWait { get; private set; }

    public void NoteCapacity(TimeSpan wait) => CapacityWait = CapacityWait is { } known && known <= wait ? known : wait;

    /// <summary>The expert started was never sent to (its quota was taken first): it does not count as tried.</summary>
    public void NotSent() => ExpertsTried--;

    /// <summary>Another expert may still be tried after this one.</summary>
    public bool MoreExperts => ExpertsTried < Call.MaxExperts && Index + 1 < Call.Experts.Count;

    public void StartExpert(ExpertDefinition expert, int index, int retries)
    {
        (Expert, Index, RetriesLeft, TriesOnExpert, RetryAfter, HeldBack, PreviousTry) = (expert, index, retries, 0, null, null, null);
        Native = Call.IsNativeFor(expert) ? Call.Native : null;
        ExpertsTried++;
    }

    public void AddFailed(Attempt attempt) => _failed.Add(attempt);

    /// <summary>Whether an answer with this status will be retried on the same expert.</summary>
    public bool WillRetry(int status) => RetriesLeft > 0 && IsTransient(status, RetryAfter, maxRetryAfter);

    /// <summary>
    /// 502/503/504 (and Anthropic's 529, "overloaded") are the expert's front door failing, worth another knock; a 429
    /// is too when its Retry-After (if any) fits the cap. A 500 or 408 moves on to the next expert instead: the same request will likely fail again.
    /// </summary>
    public static bool IsTransient(int status, TimeSpan? retryAfter, TimeSpan maxRetryAfter) =>
        status is 502 or 503 or 504 or 529 || (status == 429 && (retryAfter is null || retryAfter <= maxRetryAfter));

    /// <summary>Statuses another attempt may do better with.</summary>
    public static bool IsRetryable(int status) => status is 408 or 429 or 500 or 502 or 503 or 504 or 529;
}
