using ExpertRouter.Core.Experts;

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

    /// <summary>Another expert may still be tried after this one.</summary>
    public bool MoreExperts => ExpertsTried < Call.MaxExperts && Index + 1 < Call.Experts.Count;

    public void StartExpert(ExpertDefinition expert, int index, int retries)
    {
        (Expert, Index, RetriesLeft, TriesOnExpert, RetryAfter, HeldBack) = (expert, index, retries, 0, null, null);
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
