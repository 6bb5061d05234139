using ExpertRouter.Irt.Model;

namespace ExpertRouter.Irt.Training;

/// <summary>
/// A trained router to continue from. A gateway's log is biased: most prompts carry only the served expert's score,
/// and only the explored ones carry the others'. Trained from scratch on it, a router forgets what its benchmark data
/// taught it about every expert the log says little of. Continued from the serving router, with the weight decay
/// pulling toward its weights (L2-SP), it keeps that knowledge and moves only where the log says otherwise; an expert
/// the starting router lacks is first placed from its logged outcomes by <see cref="ColdStart"/>, then trains freely.
/// </summary>
/// <param name="Ensemble">The starting router's members.</param>
/// <param name="ExpertIds">The starting router's experts, in its rows' order.</param>
/// <param name="Source">What the start was (its folder and version), for the new folder's record.</param>
public sealed record WarmStart(IrtEnsemble Ensemble, IReadOnlyList<string> ExpertIds, string Source)
{
    /// <summary>
    /// Pulls tried when none is given, as the decay rate toward the start (AdamW's decoupled decay, per unit of
    /// learning rate): 0 is plain fine-tuning, 100 all but freezes the start. The trainer keeps the one with the lowest
    /// cross-validated log loss on the new data.
    /// </summary>
    /// <summary>Prompts the start learned each expert from, as its folder recorded them; empty when it recorded none.</summary>
    public IReadOnlyDictionary<string, int> Labels { get; init; } = new Dictionary<string, int>();

    public static IReadOnlyList<float> AnchorGrid { get; } = [0f, 1f, 10f, 100f];

    /// <summary>The anchor used when the data is too small to cross-validate.</summary>
    public const float DefaultAnchor = 10f;

    public int InputRows => Ensemble.Members[0].InputRows;

    public int EmbeddingSize => Ensemble.Members[0].EmbeddingSize;

    public int AbilityDimensions => Ensemble.Members[0].AbilityDimensions;

    /// <summary>
    /// This start with each expert of <paramref name="pool"/> it lacks fitted from the examples' outcomes by
    /// <see cref="ColdStart"/> (items frozen, converged, with its prior toward the average expert), so that training
    /// begins from where the data places the newcomer rather than from the average expert. An expert with no outcome
    /// stays out (and starts as the average expert).
    /// </summary>
    public WarmStart WithNewExpertsPlaced(IReadOnlyList<string> pool, IReadOnlyList<IrtExample> examples)
    {
        var ensemble = Ensemble;
        var ids = ExpertIds.ToList();
        foreach (var m in NewExperts(pool))
        {
            var labels = examples
                .SelectMany(e => e.Experts.Select((expert, j) => (expert, j)).Where(o => o.expert == m).Select(o => (e.Features, e.Scores[o.j])))
                .ToArray();
            if (labels.Length > 0)
            {
                ensemble = ColdStart.AddExpert(ensemble, labels);
                ids.Add(pool[m]);
            }
        }

        return this with { Ensemble = ensemble, ExpertIds = ids };
    }

    /// <summary>The rows of <paramref name="pool"/> the start does not know.</summary>
    public IReadOnlyCollection<int> NewExperts(IReadOnlyList<string> pool) =>
        Enumerable.Range(0, pool.Count).Where(m => !ExpertIds.Contains(pool[m])).ToArray();

    /// <summary>Why this start cannot train a router for <paramref name="pool"/> over <paramref name="inputRows"/> input rows.</summary>
    public IReadOnlyList<string> Problems(IReadOnlyList<string> pool, int inputRows)
    {
        var problems = new List<string>();
        if (inputRows != InputRows)
        {
            problems.Add($"the starting router reads {InputRows} input rows and this build's encoder {inputRows}: continue with the starting router's encoder.");
        }

        if (!pool.Any(ExpertIds.Contains))
        {
            problems.Add($"the starting router knows none of the pool's experts ({string.Join(", ", pool)}); train from scratch instead.");
        }

        return problems;
    }

    /// <summary>
    /// Member <paramref name="index"/> of the start (cycling when more members are asked for than it has), laid out for
    /// <paramref name="pool"/>: the prompt side as it was, each known expert's θ, β and U copied, each new one the
    /// mean of the known experts'.
    /// </summary>
    public IrtParameters MemberFor(int index, IReadOnlyList<string> pool)
    {
        var start = Ensemble.Members[index % Ensemble.Members.Count];
        int k = start.AbilityDimensions, d = start.EmbeddingSize, known = start.Experts;
        var member = start.WithExperts(pool.Count);
        // WithExperts kept the start's rows by position; the pool's order is by id.
        Array.Clear(member.Abilities);
        Array.Clear(member.ExpertBias);
        Array.Clear(member.ExpertLinear);
        var row = ExpertIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        for (var m = 0; m < pool.Count; m++)
        {
            if (row.TryGetValue(pool[m], out var from))
            {
                start.Abilities.AsSpan(from * k, k).CopyTo(member.Abilities.AsSpan(m * k, k));
                member.ExpertBias[m] = start.ExpertBias[from];
                start.ExpertLinear.AsSpan(from * d, d).CopyTo(member.ExpertLinear.AsSpan(m * d, d));
                continue;
            }

            member.ExpertBias[m] = start.ExpertBias.Average();
            for (var e = 0; e < known; e++)
            {
                for (var c = 0; c < k; c++)
                {
                    member.Abilities[m * k + c] += start.Abilities[e * k + c] / known;
                }

                for (var c = 0; c < d; c++)
                {
                    member.ExpertLinear[m * d + c] += start.ExpertLinear[e * d + c] / known;
                }
            }
        }

        return member;
    }
}

/// <summary>
/// Weights a model is pulled toward while it trains (L2-SP): <paramref name="Strength"/> is the decay rate toward them,
/// except for <paramref name="NewExperts"/>' rows, which the data places freely (the plain weight decay).
/// </summary>
public sealed record IrtAnchor(IrtParameters Weights, float Strength, IReadOnlyCollection<int> NewExperts)
{
    /// <summary>Per-value decay rates for the expert arrays when some experts are new; null entries take <see cref="Strength"/>.</summary>
    internal float[]?[] DecayRates(IrtParameters p, float plainDecay)
    {
        if (Weights.InputRows != p.InputRows || Weights.EmbeddingSize != p.EmbeddingSize || Weights.AbilityDimensions != p.AbilityDimensions || Weights.Experts != p.Experts)
        {
            throw new ArgumentException("The anchor must have the trained model's shape.", nameof(p));
        }

        var rates = new float[]?[p.All().Length];
        if (NewExperts.Count == 0)
        {
            return rates;
        }

        // All() order: Embedding, Wa, ba, wb, bb, θ (Experts × K), β (Experts), U (Experts × D).
        foreach (var (index, width) in new[] { (5, p.AbilityDimensions), (6, 1), (7, p.EmbeddingSize) })
        {
            var perValue = new float[p.Experts * width];
            for (var m = 0; m < p.Experts; m++)
            {
                perValue.AsSpan(m * width, width).Fill(NewExperts.Contains(m) ? plainDecay : Strength);
            }

            rates[index] = perValue;
        }

        return rates;
    }
}
