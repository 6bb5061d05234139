using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Training;

/// <summary>
/// Fits <see cref="IrtParameters"/> by minibatch AdamW on binary cross-entropy with soft labels (scores in [0,1]).
/// One model is fitted on one thread, so the result is bit-identical for a seed on any machine; the ensemble's members
/// are what run in parallel (<see cref="Building.IrtBuild.Run"/>).
/// </summary>
public static class IrtTrainer
{
    public static IrtParameters Initialize(int inputRows, int experts, IrtTrainingOptions options, bool identityEmbedding = false)
    {
        var p = new IrtParameters(inputRows, options.EmbeddingSize, options.AbilityDimensions, experts);
        var random = new Random(options.Seed);
        if (identityEmbedding)
        {
            for (var r = 0; r < Math.Min(inputRows, options.EmbeddingSize); r++)
            {
                p.Embedding[r * options.EmbeddingSize + r] = 1f;
            }
        }
        else
        {
            Fill(p.Embedding, random, options.InitScale);
        }

        Fill(p.DiscriminationWeights, random, 1f / MathF.Sqrt(options.EmbeddingSize));
        Fill(p.DifficultyWeights, random, 0.1f / MathF.Sqrt(options.EmbeddingSize));
        Fill(p.Abilities, random, 0.1f);
        return p;
    }

    /// <summary>
    /// Trains every weight (except the embedding table when <paramref name="freezeEmbedding"/>). With an
    /// <paramref name="anchor"/>, the weight decay pulls toward the anchor's weights instead of toward zero, at the
    /// anchor's strength except for its new experts' rows (the options' weight decay there).
    /// </summary>
    public static void Fit(
        IrtParameters p,
        IReadOnlyList<IrtExample> examples,
        IrtTrainingOptions options,
        bool freezeEmbedding = false,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default,
        IrtAnchor? anchor = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid IRT training options: " + string.Join(" ", errors), nameof(options));
        }

        var parameters = p.All();
        var gradients = parameters.Select(a => new float[a.Length]).ToArray();
        var optimizer = anchor is null
            ? new AdamW(parameters, options.LearningRate, options.WeightDecay)
            : new AdamW(parameters, options.LearningRate, anchor.Strength, anchor.Weights.All(), anchor.DecayRates(p, options.WeightDecay));
        var pass = new IrtBackward(p, gradients);
        var touched = new bool[p.InputRows];
        var touchedRows = new List<int>();
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var random = new Random(unchecked(options.Seed * 7919 + 1));
        var totalSteps = options.Epochs * ((examples.Count + options.BatchSize - 1) / options.BatchSize);
        var step = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = Math.Min(order.Length, start + options.BatchSize);
                // The batch's loss is the weighted mean over its outcomes (the plain mean when nothing is weighted).
                var observations = 0f;
                for (var i = start; i < end; i++)
                {
                    observations += examples[order[i]].TotalWeight;
                }

                if (observations <= 0)
                {
                    continue;
                }

                for (var g = 1; g < gradients.Length; g++)
                {
                    Array.Clear(gradients[g]);
                }

                for (var i = start; i < end; i++)
                {
                    var example = Dropout(examples[order[i]], options.FeatureDropout, random);
                    pass.Accumulate(example, 1f / observations);
                    foreach (var id in example.Features.Ids)
                    {
                        if (!touched[id])
                        {
                            touched[id] = true;
                            touchedRows.Add(id);
                        }
                    }
                }

                optimizer.BeginStep();
                for (var g = 1; g < parameters.Length; g++)
                {
                    if (g == 7 && !options.ExpertLinear)
                    {
                        continue;
                    }

                    optimizer.Update(g, parameters[g], gradients[g], 0, parameters[g].Length);
                }

                // Rows in ascending order, so the update order never depends on the batch's order.
                touchedRows.Sort();
                var d = p.EmbeddingSize;
                foreach (var row in touchedRows)
                {
                    if (!freezeEmbedding)
                    {
                        optimizer.Update(0, parameters[0], gradients[0], row * d, d, options.EmbeddingLearningRateScale);
                    }

                    Array.Clear(gradients[0], row * d, d);
                    touched[row] = false;
                }

                touchedRows.Clear();
                progress?.Report(++step / (double)totalSteps);
            }
        }
    }

    /// <summary>Mean binary cross-entropy over every recorded outcome (soft labels).</summary>
    public static double LogLoss(IrtParameters p, IReadOnlyList<IrtExample> examples)
    {
        var probabilities = new float[p.Experts];
        double loss = 0;
        var count = 0;
        foreach (var example in examples)
        {
            IrtModel.Predict(p, example.Features, probabilities);
            for (var j = 0; j < example.Experts.Length; j++)
            {
                var q = Math.Clamp(probabilities[example.Experts[j]], 1e-6, 1 - 1e-6);
                var y = example.Scores[j];
                loss -= y * Math.Log(q) + (1 - y) * Math.Log(1 - q);
                count++;
            }
        }

        return count == 0 ? double.NaN : loss / count;
    }

    /// <summary>Drops each n-gram with probability <paramref name="rate"/>, rescaling the rest (inverted dropout).</summary>
    private static IrtExample Dropout(IrtExample example, float rate, Random random)
    {
        if (rate <= 0)
        {
            return example;
        }

        var ids = new List<int>(example.Features.Count);
        var weights = new List<float>(example.Features.Count);
        var scale = 1f / (1f - rate);
        for (var j = 0; j < example.Features.Count; j++)
        {
            if (random.NextSingle() >= rate)
            {
                ids.Add(example.Features.Ids[j]);
                weights.Add(example.Features.Weights[j] * scale);
            }
        }

        return example with { Features = new HashedFeatures(ids.ToArray(), weights.ToArray()) };
    }

    private static void Fill(float[] values, Random random, float scale)
    {
        for (var i = 0; i < values.Length; i++)
        {
            // Box–Muller from the seeded source: a normal draw that is the same on every platform.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2)) * scale;
        }
    }
}
