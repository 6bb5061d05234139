namespace ExpertRouter.Gateway.Configuration;

/// <summary>
/// How the gateway keeps experts within what they can take (<c>ExpertRouter:Capacity</c>); each expert's quotas are
/// its own <c>Capacity</c> entry. See docs/capacity.md.
/// </summary>
public sealed record CapacityOptions
{
    /// <summary>
    /// Candidates whose utility is within this of the first choice's count as equal, and the one with the most
    /// headroom left goes first, so one cheap expert is not saturated while an equal one idles. 0 turns spreading off.
    /// </summary>
    public double SpreadEpsilon { get; init; } = 0.01;

    /// <summary>
    /// ... and whose expected cost is at most this many times the first's: under a router with no opinion of quality
    /// (or λ = 0) every utility ties and only the cost tie-break ranks, which spreading must not undo.
    /// </summary>
    public double SpreadMaxCostRatio { get; init; } = 1.1;

    /// <summary>First-token samples older than this are forgotten: an expert passed over for latency is tried again once its slow samples age out.</summary>
    public TimeSpan LatencyWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most recent first-token samples kept per expert.</summary>
    public int LatencySamples { get; init; } = 200;

    /// <summary>Fewer recent samples than this say nothing about an expert's latency (it meets any target).</summary>
    public int MinLatencySamples { get; init; } = 5;

    /// <summary>How long an expert is avoided after a 429 that gave no Retry-After or reset time.</summary>
    public TimeSpan ProviderBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a provider's Retry-After or reset header may keep an expert out.</summary>
    public TimeSpan MaxProviderBlock { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest one Redis call of the quota store may take; past it the call is counted in process.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a Redis fault, quotas are counted in process for this long before a call tries Redis again.</summary>
    public TimeSpan RetryStoreAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Every problem with these settings, each naming its configuration key.</summary>
    public IEnumerable<string> Validate()
    {
        const string Section = "ExpertRouter:Capacity:";
        if (SpreadEpsilon is < 0 or > 1 || double.IsNaN(SpreadEpsilon))
        {
            yield return Section + "SpreadEpsilon: must be between 0 and 1.";
        }

        if (SpreadMaxCostRatio < 1 || double.IsNaN(SpreadMaxCostRatio))
        {
            yield return Section + "SpreadMaxCostRatio: must be at least 1.";
        }

        if (LatencyWindow <= TimeSpan.Zero)
        {
            yield return Section + "LatencyWindow: must be positive.";
        }

        if (LatencySamples is < 1 or > 10_000)
        {
            yield return Section + "LatencySamples: must be between 1 and 10000.";
        }

        if (MinLatencySamples < 1 || MinLatencySamples > LatencySamples)
        {
            yield return Section + "MinLatencySamples: must be between 1 and LatencySamples.";
        }

        if (ProviderBackoff < TimeSpan.Zero || ProviderBackoff > MaxProviderBlock)
        {
            yield return Section + "ProviderBackoff: must be between 0 and MaxProviderBlock.";
        }

        if (MaxProviderBlock <= TimeSpan.Zero)
        {
            yield return Section + "MaxProviderBlock: must be positive.";
        }

        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout > TimeSpan.FromSeconds(30))
        {
            yield return Section + "CommandTimeout: must be between 0 and 30 seconds.";
        }

        if (RetryStoreAfter <= TimeSpan.Zero)
        {
            yield return Section + "RetryStoreAfter: must be positive.";
        }
    }
}
