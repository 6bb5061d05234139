using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>What one role an expert played in an ensemble.</summary>
public enum ExpertRole
{
    Proposer,
    Judge,
    Aggregator,
    Verifier,
}

/// <summary>A call made for an ensemble, with the role it played.</summary>
public sealed record EnsembleCall(ExpertRole Role, ExpertCallResult Result);
