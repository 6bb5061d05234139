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

    /// <summary>
    /// When true this model is a judge that scores from the replay dataset: asked with the gateway's judge prompt
    /// (<c>Request:</c> … <c>Answer to grade:</c> …), it replies with the recorded score of the recorded response that
    /// the graded answer is (or begins: a response cut by max_tokens); an answer it cannot find gets "unknown", which
    /// leaves it unscored. End-to-end runs use it so that learning from the gateway's log sees the benchmark's outcomes.
    /// </summary>
    public bool ReplayJudge { get; init; }
}
