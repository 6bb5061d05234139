namespace ExpertRouter.Core.Ensembles;

/// <summary>How an ensemble combines its experts; the gateway runs each mode and the harness evaluates the ones it can replay.</summary>
public enum EnsembleMode
{
    /// <summary>Majority vote over the top-N experts' extracted answers.</summary>
    Vote,

    /// <summary>Best-of-N: a judge expert picks one of N answers.</summary>
    Judge,

    /// <summary>Mixture-of-agents: N proposers, then an aggregator expert writes the final answer.</summary>
    Moa,

    /// <summary>Vote over the top-N only when the router's top two are within <see cref="EnsembleOptions.Margin"/>.</summary>
    FanOut,

    /// <summary>Cheapest of the top-N first; escalate while the verifier rejects.</summary>
    Cascade,
}
