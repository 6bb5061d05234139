using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Routing;

/// <summary>A ranking after capacity: who is left (best first), who was passed over and why, and which of those ranked above the first choice.</summary>
public readonly record struct ShapedRanking(IReadOnlyList<ExpertScore> Ranking, IReadOnlyList<PassedOver> Passed, IReadOnlyList<PassedOver> Bypassed);

/// <summary>
/// What capacity does to a ranking, read from the tracker's snapshot before anything is called: experts at their
/// quota or told by their provider to wait are passed over (<see cref="PassReason.Capacity"/>), and so are experts
/// whose recent p90 first-token latency misses the tenant's <c>maxLatencyMs</c> (<see cref="PassReason.Latency"/>);
/// among the candidates left whose utility is within <see cref="CapacityOptions.SpreadEpsilon"/> of the first's (and
/// whose cost is within <see cref="CapacityOptions.SpreadMaxCostRatio"/> of it), the one with the most headroom goes first. The order is otherwise the router's. A slow expert is better than
/// none, so the latency target is dropped when nothing meets it; when every candidate is over capacity the ranking
/// stays whole, so the cache can still answer and the invoker refuses with the earliest reset.
/// </summary>
public sealed class CapacityShaping(CapacityTracker capacity, CapacityOptions options)
{
    private const byte Keep = 0;
    private const byte OverCapacity = 1;
    private const byte TooSlow = 2;

    public ShapedRanking Shape(IReadOnlyList<ExpertScore> ranking, TenantPolicy tenant, OpenAIRequest request)
    {
        var target = tenant.MaxLatencyMs;
        var count = ranking.Count;
        if ((!capacity.Active && target is null) || count == 0)
        {
            return new ShapedRanking(ranking, [], []);
        }

        var nowMs = capacity.NowMs;
        Span<byte> marks = count <= 64 ? stackalloc byte[count] : new byte[count];
        Span<double> headroom = count <= 64 ? stackalloc double[count] : new double[count];
        var (kept, slow) = (0, 0);
        for (var i = 0; i < count; i++)
        {
            var expert = ranking[i].Expert;
            var check = capacity.Check(expert, CapacityTracker.EstimateTokens(request.PromptTokens, Answers(request), expert), nowMs);
            headroom[i] = check.Headroom;
            marks[i] = !check.Fits ? OverCapacity
                : target is { } ms && capacity.FirstTokenP90Ms(expert, nowMs) is { } p90 && p90 > ms ? TooSlow
                : Keep;
            kept += marks[i] == Keep ? 1 : 0;
            slow += marks[i] == TooSlow ? 1 : 0;
        }

        if (kept == 0 && slow == 0)
        {
            return new ShapedRanking(ranking, [], []);
        }

        if (kept == 0)
        {
            marks.Replace(TooSlow, Keep);
        }

        var first = marks.IndexOf(Keep);
        var chosen = Spread(ranking, marks, headroom, first);
        return chosen == first && marks.IndexOfAnyExcept(Keep) < 0
            ? new ShapedRanking(ranking, [], [])
            : Build(ranking, marks, first, chosen, "plan");
    }

    /// <summary>
    /// A named expert over capacity hands the request to its tenant's fallback chain, as a 429 from it would; with no
    /// stand-in that fits, the plan stays as it is and the invoker refuses with the reset.
    /// </summary>
    public ShapedRanking ShapeDirect(IReadOnlyList<ExpertScore> ranking, OpenAIRequest request)
    {
        if (!capacity.Active || ranking.Count < 2)
        {
            return new ShapedRanking(ranking, [], []);
        }

        var nowMs = capacity.NowMs;
        Span<byte> marks = ranking.Count <= 64 ? stackalloc byte[ranking.Count] : new byte[ranking.Count];
        for (var i = 0; i < ranking.Count; i++)
        {
            var expert = ranking[i].Expert;
            marks[i] = capacity.Check(expert, CapacityTracker.EstimateTokens(request.PromptTokens, Answers(request), expert), nowMs).Fits ? Keep : OverCapacity;
        }

        var first = marks.IndexOf(Keep);
        return first <= 0 ? new ShapedRanking(ranking, [], []) : Build(ranking, marks, first, first, "plan");
    }

    /// <summary>Among the near-equals of the first (utility within ε, cost within the ratio), the one with the most headroom; ties keep the router's order.</summary>
    private int Spread(IReadOnlyList<ExpertScore> ranking, ReadOnlySpan<byte> marks, ReadOnlySpan<double> headroom, int first)
    {
        var floor = ranking[first].Utility - options.SpreadEpsilon;
        var ceiling = ranking[first].ExpectedCostUsd * options.SpreadMaxCostRatio;
        var best = first;
        for (var j = first + 1; j < ranking.Count && options.SpreadEpsilon > 0; j++)
        {
            var utility = ranking[j].Utility;
            if (!double.IsFinite(utility) || utility < floor)
            {
                break;
            }

            if (marks[j] == Keep && ranking[j].ExpectedCostUsd <= ceiling && headroom[j] > headroom[best] + 1e-9)
            {
                best = j;
            }
        }

        return best;
    }

    private ShapedRanking Build(IReadOnlyList<ExpertScore> ranking, ReadOnlySpan<byte> marks, int first, int chosen, string stage)
    {
        var kept = new List<ExpertScore>(ranking.Count) { ranking[chosen] };
        List<PassedOver>? passed = null;
        List<PassedOver>? bypassed = null;
        for (var i = 0; i < ranking.Count; i++)
        {
            if (marks[i] == Keep)
            {
                if (i != chosen)
                {
                    kept.Add(ranking[i]);
                }

                continue;
            }

            var pass = new PassedOver(ranking[i].Expert.Id, marks[i] == OverCapacity ? PassReason.Capacity : PassReason.Latency);
            (passed ??= []).Add(pass);
            if (i < first)
            {
                (bypassed ??= []).Add(pass);
            }

            capacity.Passed(pass.Expert, pass.Reason.Name(), stage);
        }

        return new ShapedRanking(kept, (IReadOnlyList<PassedOver>?)passed ?? [], (IReadOnlyList<PassedOver>?)bypassed ?? []);
    }

    private static int Answers(OpenAIRequest request) => request.Endpoint == OpenAIEndpoint.Embeddings ? 0 : request.Choices;
}
