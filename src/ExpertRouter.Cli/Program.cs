using System.CommandLine;
using ExpertRouter.Cli.Commands;

var root = new RootCommand("ExpertRouter: an LLM routing gateway, its simulator, evaluation harness and router training.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
