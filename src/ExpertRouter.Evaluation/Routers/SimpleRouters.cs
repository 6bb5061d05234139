using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>A router whose quality estimate does not depend on the prompt: one value per trained expert.</summary>
public sealed class ConstantQualityRouter(string name, IReadOnlyList<ExpertDefinition> experts, double[] quality) : IRouter
{
    public string Name => name;

    public IReadOnlyList<double> Quality => quality;

    public ValueTask EstimateQualityAsync(
        RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality1, CancellationToken cancellationToken)
    {
        TrainingStatistics.Write(experts, candidates, quality, quality1.Span);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// best-single: each expert's mean training score, the same for every prompt. At λ = 0 it always picks the best single
/// expert; sweeping λ walks down the single experts' own quality–cost frontier — the bar a router must beat.
/// </summary>
public sealed class BestSingleRouterTrainer : IRouterTrainer
{
    public const string RouterName = "best-single";

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken) =>
        new ConstantQualityRouter(Name, training.Experts, TrainingStatistics.ExpertMeans(training));
}

/// <summary>cheapest: Core's <see cref="CheapestRouter"/> (no opinion on quality; every setting picks the cheapest).</summary>
public sealed class CheapestRouterTrainer : IRouterTrainer
{
    public string Name => CheapestRouter.RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken) => new CheapestRouter();
}

/// <summary>
/// random: a uniform quality per (prompt, expert) from a hash of the seed, prompt and expert, so results repeat and the
/// router is thread-safe. Sweeping λ mixes random choices with cost — the floor any learned router must clear.
/// </summary>
public sealed class RandomRouterTrainer : IRouterTrainer
{
    public const string RouterName = "random";

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken) => new RandomRouter(training.Seed);

    private sealed class RandomRouter(int seed) : IRouter
    {
        public string Name => RouterName;

        public ValueTask EstimateQualityAsync(
            RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            var span = quality.Span;
            var promptHash = StableHash(query.Id ?? query.Prompt, (ulong)seed);
            for (var c = 0; c < candidates.Count; c++)
            {
                var h = StableHash(candidates[c].Id, promptHash);
                span[c] = (h >> 11) * (1.0 / (1UL << 53));
            }

            return ValueTask.CompletedTask;
        }

        private static ulong StableHash(string text, ulong seed)
        {
            // FNV-1a then a SplitMix64 finaliser: string.GetHashCode is randomised per process.
            var h = 14695981039346656037UL ^ seed;
            foreach (var ch in text)
            {
                h = (h ^ ch) * 1099511628211UL;
            }

            h ^= h >> 30;
            h *= 0xbf58476d1ce4e5b9UL;
            h ^= h >> 27;
            h *= 0x94d049bb133111ebUL;
            return h ^ (h >> 31);
        }
    }
}
