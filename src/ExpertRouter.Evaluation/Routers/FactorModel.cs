using ExpertRouter.Evaluation.Routers.Features;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// The parameters of the matrix-factorisation router and one AdaGrad step on a prompt. The projection W is updated
/// only in the rows the prompt's sparse features touch, so a step costs O(non-zeros × dimensions).
/// </summary>
internal sealed class FactorModel
{
    private readonly int _d;
    private readonly double[] _projection;
    private readonly double[] _projectionG2;
    private readonly double[] _expert;
    private readonly double[] _expertG2;
    private readonly double[] _biasG2;

    public FactorModel(int features, int experts, int dimensions, Random random)
    {
        _d = dimensions;
        _projection = new double[features * dimensions];
        _projectionG2 = new double[_projection.Length];
        _expert = new double[experts * dimensions];
        _expertG2 = new double[_expert.Length];
        ExpertBias = new double[experts];
        _biasG2 = new double[experts];
        for (var i = 0; i < _projection.Length; i++)
        {
            _projection[i] = Gaussian(random) * 0.1;
        }

        for (var i = 0; i < _expert.Length; i++)
        {
            _expert[i] = Gaussian(random) * 0.1;
        }
    }

    public double[] ExpertBias { get; }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    public double[] Project(SparseVector x)
    {
        var h = new double[_d];
        for (var i = 0; i < x.Count; i++)
        {
            if (x.Indices[i] * _d >= _projection.Length)
            {
                continue;
            }

            var row = x.Indices[i] * _d;
            for (var k = 0; k < _d; k++)
            {
                h[k] += x.Values[i] * _projection[row + k];
            }
        }

        return h;
    }

    public double Logit(double[] h, int expert)
    {
        var z = ExpertBias[expert];
        var offset = expert * _d;
        for (var k = 0; k < _d; k++)
        {
            z += _expert[offset + k] * h[k];
        }

        return z;
    }

    /// <summary>One step on a prompt: <paramref name="score"/> gives each expert's observed score or NaN.</summary>
    public void Step(SparseVector x, Func<int, double> score, double rate, double l2)
    {
        var h = Project(x);
        var gradH = new double[_d];
        for (var e = 0; e < ExpertBias.Length; e++)
        {
            var s = score(e);
            if (double.IsNaN(s))
            {
                continue;
            }

            var g = Sigmoid(Logit(h, e)) - s;
            var offset = e * _d;
            for (var k = 0; k < _d; k++)
            {
                gradH[k] += g * _expert[offset + k];
                Update(_expert, _expertG2, offset + k, g * h[k] + l2 * _expert[offset + k], rate);
            }

            Update(ExpertBias, _biasG2, e, g, rate);
        }

        for (var i = 0; i < x.Count; i++)
        {
            var row = x.Indices[i] * _d;
            for (var k = 0; k < _d; k++)
            {
                Update(_projection, _projectionG2, row + k, gradH[k] * x.Values[i] + l2 * _projection[row + k], rate);
            }
        }
    }

    private static void Update(double[] parameters, double[] g2, int i, double gradient, double rate)
    {
        g2[i] += gradient * gradient;
        parameters[i] -= rate * gradient / (Math.Sqrt(g2[i]) + 1e-8);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
