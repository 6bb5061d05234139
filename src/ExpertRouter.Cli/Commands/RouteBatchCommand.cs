using System.CommandLine;
using System.Text.Json;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter route-batch</c>: trains one router, then writes its choice for every test prompt at N λ settings,
/// cheapest first, one JSON line per (setting, prompt): <c>{"setting": s, "id": "...", "expert": "..."}</c>. The test
/// file's outcomes are never parsed except for the oracle, which needs them by definition.
/// </summary>
internal static class RouteBatchCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var router = new Option<string>("--router") { Description = "Router name (see eval --help for the list), or a blend such as irt:0.3+knn:0.7.", Required = true };
        var sweep = new Option<int>("--sweep") { Description = "Number of λ settings, cheapest to highest quality.", DefaultValueFactory = _ => 21 };
        var output = new Option<string>("--out") { Description = "Decisions file (JSONL).", Required = true };
        var command = new Command("route-batch", "Train a router and write its decisions for every test prompt at N cost settings.");
        foreach (var option in data.All.Concat([router, sweep, output]))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(router)!;
            var settings = parse.GetValue(sweep);
            if (settings < 2)
            {
                Console.Error.WriteLine("route-batch: --sweep must be at least 2.");
                return 2;
            }

            var isOracle = string.Equals(name, OracleRouterTrainer.RouterName, StringComparison.OrdinalIgnoreCase);
            var inputs = data.Load(parse, testOutcomes: isOracle, "route-batch");
            if (inputs is null)
            {
                return 2;
            }

            var registry = RouterCatalog.Build(() => inputs.Test);
            // One router, a registered name or a blend of them: a list or "all" resolves to several, a typo to none.
            if (registry.Resolve(name, out var unknown) is not [var trainer] || unknown.Count > 0)
            {
                Console.Error.WriteLine($"route-batch: unknown router '{name}'. Known: {string.Join(", ", registry.Names)}; blends of them: a+b or a:0.3+b:0.7.");
                return 2;
            }

            return await ConsoleProgress.RunAsync(async report =>
            {
                report(trainer.Name, "train", 0);
                var trainProgress = new Progress<double>(f => report(trainer.Name, "train", f));
                var trained = trainer.Train(
                    new RouterTrainingSet(inputs.Training, inputs.Experts, parse.GetValue(data.Seed), trainProgress), cancellationToken);
                var predictProgress = new Progress<double>(f => report(trainer.Name, "predict", f));
                var quality = await QualityMatrix.PredictAsync(trained, inputs.Test, inputs.Experts, predictProgress, cancellationToken);
                var lambdas = LambdaSchedule.Create(inputs.Experts, PoolEvaluator.MeanPromptTokens(inputs.Training), settings);
                report(trainer.Name, "write", 1);
                await WriteAsync(parse.GetValue(output)!, inputs, quality, lambdas, cancellationToken);
                report(trainer.Name, "done", 1);
                Console.Error.WriteLine($"route-batch: {settings} settings × {inputs.Test.Count} prompts → {parse.GetValue(output)}");
                return 0;
            });
        });
        return command;
    }

    private static async Task WriteAsync(
        string path, EvaluationInputs inputs, QualityMatrix quality, double[] lambdas, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        // The decision ignores outcomes, so a table over outcome-less records gives the router's own choices.
        var table = new OutcomeTable(inputs.Test, inputs.Experts);
        var sweep = SweepEvaluator.Evaluate(table, quality, lambdas);
        await using var writer = new StreamWriter(path);
        foreach (var setting in sweep.Settings)
        {
            for (var p = 0; p < inputs.Test.Count; p++)
            {
                var line = JsonSerializer.Serialize(new Decision(setting.Index, inputs.Test[p].Id, inputs.Experts[setting.Chosen[p]].Id));
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
            }
        }
    }

    private sealed record Decision(
        [property: System.Text.Json.Serialization.JsonPropertyName("setting")] int Setting,
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("expert")] string Expert);
}
