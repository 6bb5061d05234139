namespace ExpertRouter.Simulation;

/// <summary>Per-model overrides of <see cref="SimulatorOptions"/>; a null member keeps the server-wide default.</summary>
public sealed record SimulatedModelOptions
{
    public int? TimeToFirstTokenMs { get; init; }

    public int? PerTokenDelayMs { get; init; }

    public int? MinAnswerTokens { get; init; }

    public int? MaxAnswerTokens { get; init; }

    /// <summary>When set, every text answer of this model is exactly this (tests use it to make experts agree or disagree).</summary>
    public string? FixedAnswer { get; init; }
}
