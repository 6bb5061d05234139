using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Model;

/// <summary>
/// Several IRT models trained from different seeds; the prediction is the mean of their probabilities, which is
/// better calibrated than any one member on small data. A single model is an ensemble of one.
/// </summary>
public sealed class IrtEnsemble
{
    public IrtEnsemble(IReadOnlyList<IrtParameters> members)
    {
        if (members.Count == 0)
        {
            throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        }

        Members = members;
    }

    public IReadOnlyList<IrtParameters> Members { get; }

    public int Experts => Members[0].Experts;

    public void Predict(HashedFeatures features, Span<float> probabilities)
    {
        Span<float> member = stackalloc float[Experts];
        probabilities[..Experts].Clear();
        foreach (var p in Members)
        {
            IrtModel.Predict(p, features, member);
            for (var m = 0; m < Experts; m++)
            {
                probabilities[m] += member[m];
            }
        }

        for (var m = 0; m < Experts; m++)
        {
            probabilities[m] /= Members.Count;
        }
    }

    public float[] Predict(HashedFeatures features)
    {
        var probabilities = new float[Experts];
        Predict(features, probabilities);
        return probabilities;
    }
}
