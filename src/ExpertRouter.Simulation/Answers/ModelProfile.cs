using System.Collections.Frozen;

namespace ExpertRouter.Simulation;

/// <summary>The effective settings of one model: its overrides layered over the server-wide defaults.</summary>
internal sealed record ModelProfile(
    int TimeToFirstTokenMs, int PerTokenDelayMs, int MinAnswerTokens, int MaxAnswerTokens, string? FixedAnswer = null, bool ReplayJudge = false);

/// <summary>Resolves every configured model once, so a request costs one dictionary look-up.</summary>
internal sealed class ModelProfiles
{
    private readonly FrozenDictionary<string, ModelProfile> profiles;

    public ModelProfiles(SimulatorOptions options)
    {
        Default = new ModelProfile(options.TimeToFirstTokenMs, options.PerTokenDelayMs, options.MinAnswerTokens, options.MaxAnswerTokens);
        profiles = options.Models.ToFrozenDictionary(
            pair => pair.Key,
            pair => new ModelProfile(
                pair.Value.TimeToFirstTokenMs ?? Default.TimeToFirstTokenMs,
                pair.Value.PerTokenDelayMs ?? Default.PerTokenDelayMs,
                pair.Value.MinAnswerTokens ?? Default.MinAnswerTokens,
                pair.Value.MaxAnswerTokens ?? Default.MaxAnswerTokens,
                pair.Value.FixedAnswer,
                pair.Value.ReplayJudge),
            StringComparer.Ordinal);
    }

    public ModelProfile Default { get; }

    public IEnumerable<string> ConfiguredModels => profiles.Keys;

    public ModelProfile For(string model) => profiles.GetValueOrDefault(model, Default);
}
