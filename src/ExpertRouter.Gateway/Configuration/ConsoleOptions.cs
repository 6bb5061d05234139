namespace ExpertRouter.Gateway.Configuration;

/// <summary>
/// <c>ExpertRouter:Console</c>: the operator console at <c>/ui/</c> (docs/console.md). It is served, and decisions
/// are recorded for it, when <see cref="Enabled"/> and <c>ExpertRouter:AdminKeySha256</c> is set: the admin key is
/// what opens it, so without one there is nobody to show it to.
/// </summary>
public sealed record ConsoleOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Recent decisions kept in memory for the pages (a ring: the oldest is overwritten).</summary>
    public int Decisions { get; init; } = 10_000;

    /// <summary>How long a login lasts, from the moment of logging in.</summary>
    public int SessionMinutes { get; init; } = 480;

    /// <summary>Logins held at once; past it the oldest is ended.</summary>
    public int MaxSessions { get; init; } = 1000;

    /// <summary>How often an open page asks for fresh data; nobody watching means no requests at all.</summary>
    public int RefreshSeconds { get; init; } = 2;

    public void CollectProblems(List<string> problems)
    {
        if (Decisions is < 100 or > 1_000_000)
        {
            problems.Add("Console:Decisions: must be between 100 and 1000000.");
        }

        if (SessionMinutes is < 1 or > 7 * 24 * 60)
        {
            problems.Add("Console:SessionMinutes: must be between 1 and 10080 (a week).");
        }

        if (MaxSessions is < 1 or > 100_000)
        {
            problems.Add("Console:MaxSessions: must be between 1 and 100000.");
        }

        if (RefreshSeconds is < 1 or > 3600)
        {
            problems.Add("Console:RefreshSeconds: must be between 1 and 3600.");
        }
    }
}
