namespace ExpertRouter.Simulation;

/// <summary>Everything the endpoints share, built once from validated <see cref="SimulatorOptions"/>.</summary>
internal sealed class SimulatorRuntime(SimulatorOptions options, TimeProvider time)
{
    private long sequence;

    public SimulatorOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ModelProfiles Profiles { get; } = new(options);

    public ReplayIndex Replay { get; } = options.ReplayDataset is { } path ? ReplayIndex.Load(path) : ReplayIndex.Empty;

    public FaultInjector Faults { get; } = new(options.Faults, new Random(options.Seed));

    public SimulatorRequestCounter Counter { get; } = new();

    /// <summary>A per-server sequence number that keeps response ids unique while answers stay deterministic.</summary>
    public long NextSequence() => Interlocked.Increment(ref sequence);

    public long UnixSeconds() => Time.GetUtcNow().ToUnixTimeSeconds();
}
