namespace ExpertRouter.Gateway.Configuration;

/// <summary>
/// <c>ExpertRouter:RequestLog</c>: one record per completed request (and per feedback), written off the request path
/// to JSONL files in <see cref="Directory"/> (<c>--request-log DIR</c>), or to a Redis stream when
/// <c>ExpertRouter:Redis</c> is set, with the files as the fallback while Redis is down. Off when no directory is set:
/// a gateway never writes prompts anywhere its operator did not name.
/// </summary>
public sealed record RequestLogOptions
{
    /// <summary>Where the JSONL files go; setting it turns the log (and feedback, exploration, shadows) on.</summary>
    public string? Directory { get; init; }

    /// <summary>A file is closed and a new one started past this size.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>... or past this age, so an hour's traffic can be shipped or read while the gateway runs.</summary>
    public int MaxFileAgeMinutes { get; init; } = 60;

    /// <summary>Closed files kept per log (requests, exploration); the oldest go first.</summary>
    public int RetainFiles { get; init; } = 168;

    /// <summary>Closed files older than this are deleted, whatever their number.</summary>
    public int RetainDays { get; init; } = 30;

    /// <summary>Records waiting to be written; when full, new records are dropped (and counted) rather than waited for.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Records written (and shadow predictions made) together.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Write to the Redis streams when <c>ExpertRouter:Redis</c> is set (files only while it is down).</summary>
    public bool UseRedis { get; init; } = true;

    public string RequestStream { get; init; } = "er:log:requests";

    public string ExplorationStream { get; init; } = "er:log:exploration";

    /// <summary>Approximate length each stream is trimmed to (<c>XADD … MAXLEN ~</c>).</summary>
    public long StreamMaxLength { get; init; } = 1_000_000;

    /// <summary>How long a request may be scored through <c>/v1/feedback</c>.</summary>
    public int FeedbackWindowHours { get; init; } = 168;

    /// <summary>Request ids remembered in process for feedback (the oldest are forgotten first; Redis keeps its own).</summary>
    public int IndexCapacity { get; init; } = 200_000;

    public bool Enabled => !string.IsNullOrWhiteSpace(Directory);

    public void CollectProblems(List<string> problems)
    {
        Positive(problems, "MaxFileBytes", MaxFileBytes);
        Positive(problems, "MaxFileAgeMinutes", MaxFileAgeMinutes);
        Positive(problems, "RetainFiles", RetainFiles);
        Positive(problems, "RetainDays", RetainDays);
        Positive(problems, "QueueCapacity", QueueCapacity);
        Positive(problems, "BatchSize", BatchSize);
        Positive(problems, "StreamMaxLength", StreamMaxLength);
        Positive(problems, "FeedbackWindowHours", FeedbackWindowHours);
        Positive(problems, "IndexCapacity", IndexCapacity);
        if (string.IsNullOrWhiteSpace(RequestStream) || string.IsNullOrWhiteSpace(ExplorationStream) || RequestStream == ExplorationStream)
        {
            problems.Add("RequestLog: RequestStream and ExplorationStream must be two different, non-empty Redis keys.");
        }
    }

    private static void Positive(List<string> problems, string name, long value)
    {
        if (value <= 0)
        {
            problems.Add($"RequestLog:{name}: must be positive.");
        }
    }
}

/// <summary><c>ExpertRouter:Exploration</c>: how the gateway runs the exploration tenants ask for in their policies.</summary>
public sealed record ExplorationOptions
{
    /// <summary>Sampled requests waiting to be explored; when full, a sample is dropped (and counted).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>Sampled requests explored at the same time.</summary>
    public int Concurrency { get; init; } = 2;

    /// <summary>Each exploration and judge call's deadline.</summary>
    public int CallTimeoutSeconds { get; init; } = 60;

    /// <summary>The most output an explored expert may write (its worst case is reserved from the budget).</summary>
    public int MaxOutputTokens { get; init; } = 1024;

    /// <summary>A served answer longer than this is not captured, and its request is not explored.</summary>
    public int MaxCapturedBytes { get; init; } = 256 * 1024;

    /// <summary>Seeds sampling and the choice of experts, for replayable runs; unset: a shared random source.</summary>
    public int? Seed { get; init; }

    public void CollectProblems(List<string> problems)
    {
        foreach (var (name, value) in new[] { ("QueueCapacity", QueueCapacity), ("Concurrency", Concurrency), ("CallTimeoutSeconds", CallTimeoutSeconds),
                     ("MaxOutputTokens", MaxOutputTokens), ("MaxCapturedBytes", MaxCapturedBytes) })
        {
            if (value <= 0)
            {
                problems.Add($"Exploration:{name}: must be positive.");
            }
        }
    }
}

/// <summary><c>ExpertRouter:RouterReload</c>: how router folders are watched for a new version.</summary>
public sealed record RouterReloadOptions
{
    /// <summary>Watch every router folder and swap a changed one in (<c>POST /admin/routers/reload</c> works either way).</summary>
    public bool Watch { get; init; } = true;

    /// <summary>Quiet time after the last file event before a folder is read: copying a model takes a while.</summary>
    public int DebounceMilliseconds { get; init; } = 2000;

    /// <summary>Folders are also checked this often, for file systems that do not report events.</summary>
    public int PollSeconds { get; init; } = 30;

    /// <summary>Recent decisions each shadow router's agreement is computed over.</summary>
    public int ShadowWindow { get; init; } = 1000;

    public void CollectProblems(List<string> problems)
    {
        if (DebounceMilliseconds < 0)
        {
            problems.Add("RouterReload:DebounceMilliseconds: must not be negative.");
        }

        if (PollSeconds <= 0)
        {
            problems.Add("RouterReload:PollSeconds: must be positive.");
        }

        if (ShadowWindow <= 0)
        {
            problems.Add("RouterReload:ShadowWindow: must be positive.");
        }
    }
}
