namespace ExpertRouter.Irt.Model;

/// <summary>
/// The weights of the multidimensional IRT model, row-major:
/// e = Σ w·E[id] (bag-of-n-gram embedding, D), a = softplus(e·Wa + ba) (discrimination, K, positive),
/// b = e·wb + bb (difficulty), logit_m = a·θ_m − b + β_m + e·U_m, P = σ(logit).
/// β (per-expert bias) and U (per-expert linear read-out of the embedding) extend plain M-IRT; U is all zeros
/// unless the trainer enables it.
/// </summary>
public sealed class IrtParameters
{
    public IrtParameters(int inputRows, int embeddingSize, int abilityDimensions, int experts)
    {
        InputRows = inputRows;
        EmbeddingSize = embeddingSize;
        AbilityDimensions = abilityDimensions;
        Experts = experts;
        Embedding = new float[inputRows * embeddingSize];
        DiscriminationWeights = new float[embeddingSize * abilityDimensions];
        DiscriminationBias = new float[abilityDimensions];
        DifficultyWeights = new float[embeddingSize];
        DifficultyBias = new float[1];
        Abilities = new float[experts * abilityDimensions];
        ExpertBias = new float[experts];
        ExpertLinear = new float[experts * embeddingSize];
    }

    public int InputRows { get; }

    public int EmbeddingSize { get; }

    public int AbilityDimensions { get; }

    public int Experts { get; }

    /// <summary>E: InputRows × D.</summary>
    public float[] Embedding { get; }

    /// <summary>Wa: D × K.</summary>
    public float[] DiscriminationWeights { get; }

    public float[] DiscriminationBias { get; }

    /// <summary>wb: D.</summary>
    public float[] DifficultyWeights { get; }

    public float[] DifficultyBias { get; }

    /// <summary>θ: Experts × K.</summary>
    public float[] Abilities { get; }

    public float[] ExpertBias { get; }

    /// <summary>U: Experts × D.</summary>
    public float[] ExpertLinear { get; }

    /// <summary>Every weight array in a fixed order (optimiser state and checksums follow it).</summary>
    public float[][] All() =>
        [Embedding, DiscriminationWeights, DiscriminationBias, DifficultyWeights, DifficultyBias, Abilities, ExpertBias, ExpertLinear];

    /// <summary>Rounds the embedding table to the half precision it is stored in (see the ONNX exporter).</summary>
    public void RoundEmbeddingToHalf()
    {
        for (var i = 0; i < Embedding.Length; i++)
        {
            Embedding[i] = (float)(Half)Embedding[i];
        }
    }

    public IrtParameters WithExperts(int experts)
    {
        var copy = new IrtParameters(InputRows, EmbeddingSize, AbilityDimensions, experts);
        Embedding.CopyTo(copy.Embedding, 0);
        DiscriminationWeights.CopyTo(copy.DiscriminationWeights, 0);
        DiscriminationBias.CopyTo(copy.DiscriminationBias, 0);
        DifficultyWeights.CopyTo(copy.DifficultyWeights, 0);
        DifficultyBias.CopyTo(copy.DifficultyBias, 0);
        var kept = Math.Min(experts, Experts);
        Abilities.AsSpan(0, kept * AbilityDimensions).CopyTo(copy.Abilities);
        ExpertBias.AsSpan(0, kept).CopyTo(copy.ExpertBias);
        ExpertLinear.AsSpan(0, kept * EmbeddingSize).CopyTo(copy.ExpertLinear);
        return copy;
    }
}
