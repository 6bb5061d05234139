using System.CommandLine;

namespace ExpertRouter.Cli.Commands;

/// <summary>Every sub-command of <c>expertrouter</c>; each lives in its own file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return SimulateCommand.Create();
        yield return TrainCommand.Create();
        yield return AddExpertCommand.Create();
        yield return LabelCommand.Create();
        yield return SendCommand.Create();
        yield return TenantsCommand.Create(TimeProvider.System);
        yield return KeysCommand.Create(TimeProvider.System);
        yield return EvalCommand.Create();
        yield return RouteBatchCommand.Create();
        yield return ImportCommand.Create();
        yield return EvalEnsembleCommand.Create();
    }
}
