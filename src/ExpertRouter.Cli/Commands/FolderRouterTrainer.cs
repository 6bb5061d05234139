using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>folder:PATH</c> in a router list: a router folder as it was written (by train, add-expert, or shipped), loaded
/// as the gateway loads it and evaluated without training. Experts the folder does not know get no prediction, so the
/// harness never picks them: what the gateway does with that router. Compares a router learned from the gateway's log
/// with one trained offline, or with the router it replaced, on the same test prompts.
/// </summary>
internal sealed class FolderRouterTrainer(string path) : IRouterTrainer
{
    public const string Prefix = "folder:";

    public string Name { get; } = Prefix + path;

    public static FolderRouterTrainer? TryParse(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length ? new FolderRouterTrainer(name[Prefix.Length..]) : null;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(path, "router.json")))
        {
            throw new InvalidDataException($"{Name}: no router.json in '{path}'.");
        }

        training.Progress?.Report(1);
        return IrtSkillRouter.Load(path, new OnnxServingOptions(), NullLogger.Instance);
    }
}
