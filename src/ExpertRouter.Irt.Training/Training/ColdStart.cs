using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;

namespace ExpertRouter.Irt.Training;

/// <summary>
/// Adds an expert to a trained ensemble from a few labelled prompts: every item parameter (embedding, a_q, b_q) stays
/// frozen and only the new expert's ability θ and bias β are fitted, by full-batch gradient descent on the same soft
/// binary cross-entropy, with a Gaussian prior centred on the existing experts' mean θ and β. The prior makes 10–50
/// labels enough: with no labels the new expert is an average expert.
/// </summary>
public static class ColdStart
{
    public static IrtEnsemble AddExpert(
        IrtEnsemble ensemble,
        IReadOnlyList<(HashedFeatures Features, float Score)> labels,
        float priorStrength = 1f,
        int iterations = 1000,
        float learningRate = 0.2f)
    {
        var members = ensemble.Members.Select(p => FitMember(p, labels, priorStrength, iterations, learningRate)).ToArray();
        return new IrtEnsemble(members);
    }

    private static IrtParameters FitMember(IrtParameters p, IReadOnlyList<(HashedFeatures Features, float Score)> labels, float prior, int iterations, float rate)
    {
        int k = p.AbilityDimensions, d = p.EmbeddingSize, m = p.Experts;
        var grown = p.WithExperts(m + 1);
        var meanTheta = new float[k];
        for (var e = 0; e < m; e++)
        {
            for (var c = 0; c < k; c++)
            {
                meanTheta[c] += p.Abilities[e * k + c] / m;
            }
        }

        var meanBeta = p.ExpertBias.Average();
        var meanLinear = new float[d];
        for (var e = 0; e < m; e++)
        {
            for (var c = 0; c < d; c++)
            {
                meanLinear[c] += p.ExpertLinear[e * d + c] / m;
            }
        }

        // Item side, computed once: (a_q, offset_q = −b_q + e_q·Ū).
        var items = labels.Select(label =>
        {
            var embedding = new float[d];
            var pre = new float[k];
            var a = new float[k];
            IrtModel.Embed(p, label.Features, embedding);
            var b = IrtModel.Item(p, embedding, pre, a);
            var read = 0f;
            for (var c = 0; c < d; c++)
            {
                read += embedding[c] * meanLinear[c];
            }

            return (A: a, Offset: read - b, label.Score);
        }).ToArray();

        var theta = (float[])meanTheta.Clone();
        var beta = meanBeta;
        var gradTheta = new float[k];
        var n = Math.Max(1, items.Length);
        for (var step = 0; step < iterations; step++)
        {
            Array.Clear(gradTheta);
            var gradBeta = 0f;
            foreach (var (a, offset, score) in items)
            {
                var logit = offset + beta;
                for (var c = 0; c < k; c++)
                {
                    logit += a[c] * theta[c];
                }

                var residual = IrtModel.Sigmoid(logit) - score;
                for (var c = 0; c < k; c++)
                {
                    gradTheta[c] += residual * a[c] / n;
                }

                gradBeta += residual / n;
            }

            // The prior counts as `prior` pseudo-observations' worth of pull toward the mean expert.
            for (var c = 0; c < k; c++)
            {
                theta[c] -= rate * (gradTheta[c] + prior / n * (theta[c] - meanTheta[c]));
            }

            beta -= rate * (gradBeta + prior / n * (beta - meanBeta));
        }

        theta.CopyTo(grown.Abilities, m * k);
        grown.ExpertBias[m] = beta;
        meanLinear.CopyTo(grown.ExpertLinear, m * d);
        return grown;
    }
}
