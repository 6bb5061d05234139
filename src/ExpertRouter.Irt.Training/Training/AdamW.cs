namespace ExpertRouter.Irt.Training;

/// <summary>
/// Adam with decoupled weight decay over a set of float arrays. The embedding table is updated lazily (only rows a
/// batch touched), which keeps a step's cost proportional to the batch, not to the table. With an anchor the decay
/// pulls each weight toward the anchor's value instead of toward zero (L2-SP): a warm-started model keeps what it knew
/// wherever the new data says little.
/// </summary>
internal sealed class AdamW
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;

    private readonly float[][] _first;
    private readonly float[][] _second;
    private readonly float _learningRate;
    private readonly float _weightDecay;
    private readonly float[][]? _anchor;
    private readonly float[]?[]? _decay;
    private int _step;

    /// <param name="anchor">Values the decay pulls toward, one array per parameter array; null: zero.</param>
    /// <param name="decay">Per-value decay rates for some arrays (null entries: <paramref name="weightDecay"/>).</param>
    public AdamW(float[][] parameters, float learningRate, float weightDecay, float[][]? anchor = null, float[]?[]? decay = null)
    {
        _anchor = anchor;
        _decay = decay;
        _first = parameters.Select(p => new float[p.Length]).ToArray();
        _second = parameters.Select(p => new float[p.Length]).ToArray();
        _learningRate = learningRate;
        _weightDecay = weightDecay;
    }

    public void BeginStep() => _step++;

    /// <summary>Updates <paramref name="count"/> values of parameter array <paramref name="index"/> from <paramref name="start"/>.</summary>
    public void Update(int index, float[] parameter, float[] gradient, int start, int count, float learningRateScale = 1f)
    {
        var m = _first[index];
        var v = _second[index];
        var correction1 = 1f - MathF.Pow(Beta1, _step);
        var correction2 = 1f - MathF.Pow(Beta2, _step);
        var rate = _learningRate * learningRateScale;
        var anchor = _anchor?[index];
        var decay = _decay?[index];
        for (var i = start; i < start + count; i++)
        {
            var g = gradient[i];
            m[i] = Beta1 * m[i] + (1f - Beta1) * g;
            v[i] = Beta2 * v[i] + (1f - Beta2) * g * g;
            var mHat = m[i] / correction1;
            var vHat = v[i] / correction2;
            var pulledFrom = anchor is null ? parameter[i] : parameter[i] - anchor[i];
            var decayRate = decay is null ? _weightDecay : decay[i];
            var adam = mHat / (MathF.Sqrt(vHat) + Epsilon);
            // A pull of rate·decay above 1 would overshoot the anchor and diverge (an anchor of 1,000 at the default
            // learning rate flipped the weights' sign each step); at most it lands on the anchor, so a large anchor
            // freezes the start's weights, as its meaning says.
            parameter[i] -= rate * decayRate <= 1f ? rate * (adam + decayRate * pulledFrom) : (rate * adam) + pulledFrom;
        }
    }
}
