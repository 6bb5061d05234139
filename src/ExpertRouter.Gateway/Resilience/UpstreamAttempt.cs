namespace ExpertRouter.Gateway.Resilience;

/// <summary>
/// Per-request state of the current expert's attempts, shared by <see cref="Pipeline.FallbackStep"/> (which
/// retries) and the response transform (which must hold an answer back exactly when a retry will follow).
/// </summary>
internal sealed class UpstreamAttempt(TimeSpan maxRetryAfter)
{
    /// <summary>Retries still allowed on the current expert.</summary>
    public int RetriesLeft { get; set; }

    /// <summary>Attempts made on the current expert so far.</summary>
    public int TriesOnExpert { get; set; }

    /// <summary>The expert's Retry-After on its last answer, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; set; }

    public TimeSpan MaxRetryAfter { get; } = maxRetryAfter;

    /// <summary>Whether an answer with this status will be retried on the same expert.</summary>
    public bool WillRetry(int status) => RetriesLeft > 0 && IsTransient(status, RetryAfter, MaxRetryAfter);

    /// <summary>
    /// 502/503/504 are the expert's front door failing, worth another knock; a 429 is too when its Retry-After
    /// (if any) fits the cap. A 500 or 408 moves on to the next expert instead: the same request will likely fail again.
    /// </summary>
    public static bool IsTransient(int status, TimeSpan? retryAfter, TimeSpan maxRetryAfter) =>
        status is 502 or 503 or 504 || (status == 429 && (retryAfter is null || retryAfter <= maxRetryAfter));

    public void StartExpert(int retries)
    {
        RetriesLeft = retries;
        TriesOnExpert = 0;
        RetryAfter = null;
    }
}
