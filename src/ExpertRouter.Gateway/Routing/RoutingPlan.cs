using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// What one request was decided to be, before anything is done about it: the router's ranking (best first), the
/// order experts are tried in when one fails (the first choice, then the tenant's fallback chain, then the rest of
/// the ranking), the experts passed over and why, and the ensemble that answers when one does. Immutable: the budget
/// step may only narrow it into a new plan.
/// </summary>
public sealed record RoutingPlan
{
    /// <summary>The router name for a request that named its expert.</summary>
    public const string DirectRouter = "direct";

    public required string Router { get; init; }

    /// <summary>The deciding router folder's version; null for built-in routers and named experts.</summary>
    public string? RouterVersion { get; init; }

    /// <summary>Candidates ranked by the router's utility, best first; a named expert first when the client chose.</summary>
    public required IReadOnlyList<ExpertScore> Ranking { get; init; }

    /// <summary>The order forwarding tries experts in: <see cref="Ranking"/>'s head, then the tenant's fallbacks.</summary>
    public required IReadOnlyList<ExpertScore> Fallbacks { get; init; }

    public IReadOnlyList<PassedOver> PassedOver { get; init; } = [];

    /// <summary>
    /// Experts the router ranked above the first choice that were passed over for capacity or latency, best first:
    /// <c>x-expertrouter-fallbacks</c> names them before any failed attempt, since the answer came from a stand-in.
    /// </summary>
    public IReadOnlyList<PassedOver> Bypassed { get; init; } = [];

    /// <summary>Set when an ensemble answers instead of a single expert.</summary>
    public PlannedEnsemble? Ensemble { get; init; }

    public ExpertScore First => Fallbacks[0];

    public bool IsDirect => Router == DirectRouter;

    /// <summary>The same plan without the experts <paramref name="keep"/> rejects, each recorded with <paramref name="reason"/>.</summary>
    public RoutingPlan Narrowed(Func<ExpertScore, bool> keep, PassReason reason) =>
        Narrowed(static (score, keep) => keep(score), keep, reason);

    /// <summary>
    /// The same, with the predicate's <paramref name="state"/> passed in: the cost cap narrows every request's plan,
    /// and a lambda over the caller's locals would allocate a closure each time.
    /// </summary>
    public RoutingPlan Narrowed<TState>(Func<ExpertScore, TState, bool> keep, TState state, PassReason reason)
    {
        // Most requests lose no expert here (every one within the cap): tell without the LINQ chain's allocations
        // (its lambdas live in another method, so their closure is not allocated on entry to this one either).
        return KeepsAll(Ranking, keep, state) ? this : Without(keep, state, reason);
    }

    /// <summary>The plan without the experts <paramref name="keep"/> rejects; called once at least one is rejected.</summary>
    private RoutingPlan Without<TState>(Func<ExpertScore, TState, bool> keep, TState state, PassReason reason) => this with
    {
        Ranking = [.. Ranking.Where(s => keep(s, state))],
        Fallbacks = [.. Fallbacks.Where(s => keep(s, state))],
        PassedOver = [.. PassedOver, .. Ranking.Where(s => !keep(s, state)).Select(s => new PassedOver(s.Expert.Id, reason))],
    };

    private static bool KeepsAll<TState>(IReadOnlyList<ExpertScore> scores, Func<ExpertScore, TState, bool> keep, TState state)
    {
        for (var i = 0; i < scores.Count; i++)
        {
            if (!keep(scores[i], state))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>An ensemble the plan hands the request to: its configured (or tenant-default) name and options.</summary>
public sealed record PlannedEnsemble(string Name, EnsembleOptions Options);

/// <summary>An expert left out of a plan, with the reason.</summary>
public readonly record struct PassedOver(string Expert, PassReason Reason);

/// <summary>Why a plan left an expert out.</summary>
public enum PassReason
{
    /// <summary>The tenant's policy does not allow it.</summary>
    NotAllowed,

    /// <summary>It cannot serve this kind of request (endpoint, tools).</summary>
    Unsupported,

    /// <summary>The prompt does not fit its context window.</summary>
    ContextTooLong,

    /// <summary>Its worst-case cost exceeds the tenant's per-request cap.</summary>
    OverCostCap,

    /// <summary>Its worst-case cost no longer fits the tenant's remaining budget.</summary>
    OverBudget,

    /// <summary>The tenant's soft budget is spent and it is not a downgrade expert.</summary>
    BudgetDowngrade,

    /// <summary>As a fallback it would cost more than the tenant's <c>maxFallbackCostRatio</c> times the first choice.</summary>
    FallbackTooDear,

    /// <summary>It is at its quota (requests, tokens or concurrency), or its provider said to wait until a reset.</summary>
    Capacity,

    /// <summary>Its recent p90 first-token latency misses the tenant's <c>maxLatencyMs</c>.</summary>
    Latency,
}

/// <summary>How a pass reason is written in headers, the request log and metric labels.</summary>
public static class PassReasonNames
{
    public static string Name(this PassReason reason) => reason switch
    {
        PassReason.NotAllowed => "not-allowed",
        PassReason.Unsupported => "unsupported",
        PassReason.ContextTooLong => "context-too-long",
        PassReason.OverCostCap => "over-cost-cap",
        PassReason.OverBudget => "over-budget",
        PassReason.BudgetDowngrade => "budget-downgrade",
        PassReason.FallbackTooDear => "fallback-too-dear",
        PassReason.Capacity => "capacity",
        PassReason.Latency => "latency",
        _ => reason.ToString(),
    };
}
