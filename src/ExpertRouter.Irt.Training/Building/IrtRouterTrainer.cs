using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// "irt" in the harness's registry: trains the IRT ensemble on the training set and returns it as an in-process
/// router (the C# reference computation, equal to the exported ONNX graph to 1e-5).
/// </summary>
public sealed class IrtRouterTrainer : IRouterTrainer
{
    public const string RouterName = "irt";

    public string Name => RouterName;

    public HashedNgramOptions Hashed { get; init; } = IrtDefaults.Hashed;

    /// <summary>Epochs are chosen from the data size when this has Epochs = 0 (see <see cref="IrtDefaults.EpochsFor"/>).</summary>
    public IrtTrainingOptions Options { get; init; } = IrtDefaults.Training;

    public int Members { get; init; } = IrtDefaults.Members;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var request = new IrtBuildRequest
        {
            Train = training.Records,
            Experts = training.Experts,
            Hashed = Hashed,
            Options = IrtDefaults.Resolve(Options with { Seed = training.Seed }, training.Records.Count),
            Members = Members,
            Progress = training.Progress,
        };
        return new IrtEnsembleRouter(Name, IrtBuild.Run(request, cancellationToken));
    }
}
