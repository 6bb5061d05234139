using ExpertRouter.Irt.Model;

namespace ExpertRouter.Irt.Training;

/// <summary>Forward and backward pass for one example, adding its gradient to the accumulators (order of <see cref="IrtParameters.All"/>).</summary>
internal sealed class IrtBackward
{
    private readonly IrtParameters _p;
    private readonly float[][] _g;
    private readonly float[] _embedding;
    private readonly float[] _pre;
    private readonly float[] _a;
    private readonly float[] _gradA;
    private readonly float[] _gradE;

    public IrtBackward(IrtParameters p, float[][] gradients)
    {
        _p = p;
        _g = gradients;
        _embedding = new float[p.EmbeddingSize];
        _pre = new float[p.AbilityDimensions];
        _a = new float[p.AbilityDimensions];
        _gradA = new float[p.AbilityDimensions];
        _gradE = new float[p.EmbeddingSize];
    }

    public void Accumulate(IrtExample example, float scale)
    {
        var p = _p;
        int d = p.EmbeddingSize, k = p.AbilityDimensions;
        IrtModel.Embed(p, example.Features, _embedding);
        var b = IrtModel.Item(p, _embedding, _pre, _a);
        Array.Clear(_gradA);
        Array.Clear(_gradE);
        var gradB = 0f;
        for (var j = 0; j < example.Experts.Length; j++)
        {
            var m = example.Experts[j];
            var residual = (IrtModel.Sigmoid(IrtModel.Logit(p, m, _embedding, _a, b)) - example.Scores[j]) * scale;
            if (example.Weights is { } outcomeWeights)
            {
                residual *= outcomeWeights[j];
            }

            var theta = p.Abilities.AsSpan(m * k, k);
            var gradTheta = _g[5].AsSpan(m * k, k);
            for (var c = 0; c < k; c++)
            {
                gradTheta[c] += residual * _a[c];
                _gradA[c] += residual * theta[c];
            }

            _g[6][m] += residual;
            gradB -= residual;
            var linear = p.ExpertLinear.AsSpan(m * d, d);
            var gradLinear = _g[7].AsSpan(m * d, d);
            for (var c = 0; c < d; c++)
            {
                gradLinear[c] += residual * _embedding[c];
                _gradE[c] += residual * linear[c];
            }
        }

        // a = softplus(za): da/dza = σ(za).
        for (var c = 0; c < k; c++)
        {
            _gradA[c] *= IrtModel.Sigmoid(_pre[c]);
            _g[2][c] += _gradA[c];
        }

        for (var r = 0; r < d; r++)
        {
            var e = _embedding[r];
            var row = p.DiscriminationWeights.AsSpan(r * k, k);
            var gradRow = _g[1].AsSpan(r * k, k);
            var sum = 0f;
            for (var c = 0; c < k; c++)
            {
                gradRow[c] += e * _gradA[c];
                sum += row[c] * _gradA[c];
            }

            _g[3][r] += gradB * e;
            _gradE[r] += sum + gradB * p.DifficultyWeights[r];
        }

        _g[4][0] += gradB;
        var ids = example.Features.Ids;
        var weights = example.Features.Weights;
        for (var j = 0; j < ids.Length; j++)
        {
            var gradRow = _g[0].AsSpan(ids[j] * d, d);
            var w = weights[j];
            for (var c = 0; c < d; c++)
            {
                gradRow[c] += w * _gradE[c];
            }
        }
    }
}
