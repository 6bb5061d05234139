namespace ExpertRouter.Gateway.Protocols.State;

/// <summary>How long stored responses live, and how many the in-process store keeps.</summary>
public sealed record ResponseStateOptions
{
    /// <summary>How long a stored response can be continued from (OpenAI keeps them 30 days; a gateway, less).</summary>
    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The in-process store's bound: past it the entries closest to expiry go first.</summary>
    public int MaxEntries { get; init; } = 10_000;
}
