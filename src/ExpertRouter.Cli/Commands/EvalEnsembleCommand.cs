using System.CommandLine;
using System.Globalization;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Ensembles;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Building;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter eval-ensemble --train zeroeval:train --test zeroeval:dev --pool evals/pools/ze-12.json --out r.md</c>:
/// trains the IRT router, then replays majority vote and confidence-triggered fan-out on the recorded responses.
/// </summary>
internal static class EvalEnsembleCommand
{
    public static Command Create()
    {
        var train = new Option<string>("--train") { Description = "Training source (e.g. zeroeval:train).", Required = true };
        var test = new Option<string>("--test") { Description = "Evaluation source (e.g. zeroeval:dev; never a test split).", Required = true };
        var pool = new Option<string>("--pool") { Description = "Pool file (evals/pools/*.json) or comma-separated expert ids.", Required = true };
        var output = new Option<string>("--out") { Description = "Markdown report to write.", Required = true };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var extractor = new Option<string>("--extractor") { Description = "Answer extractor: json-answer, mmlu-letter, last-number.", DefaultValueFactory = _ => AnswerExtractors.Default };
        var ks = new Option<string>("--k") { Description = "Ensemble sizes, comma-separated.", DefaultValueFactory = _ => "3,5" };
        var margins = new Option<string>("--margins") { Description = "Fan-out margins on the router's utility gap, comma-separated.", DefaultValueFactory = _ => "0.01,0.02,0.05,0.1,0.2" };
        var lambdas = new Option<string>("--lambdas") { Description = "Router λ values for the ensembles, comma-separated.", DefaultValueFactory = _ => "0" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 17 };
        var command = new Command("eval-ensemble", "Replay majority vote and confidence-triggered fan-out on recorded outcomes against single routing.")
        {
            train, test, pool, output, data, extractor, ks, margins, lambdas, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!AnswerExtractors.TryGet(parse.GetValue(extractor)!, out var answerExtractor))
            {
                Console.Error.WriteLine($"Unknown extractor '{parse.GetValue(extractor)}'; known: {string.Join(", ", AnswerExtractors.BuiltIn.Keys)}.");
                return 2;
            }

            if (IsHoldout(parse.GetValue(test)!))
            {
                Console.Error.WriteLine("The test split is the hidden hold-out; evaluate on dev.");
                return 2;
            }

            var settings = Settings(Numbers(parse.GetValue(ks)!).Select(k => (int)k).ToArray(), Numbers(parse.GetValue(margins)!), Numbers(parse.GetValue(lambdas)!));
            var evaluation = await RunAsync(parse.GetValue(train)!, parse.GetValue(test)!, parse.GetValue(pool)!, parse.GetValue(data)!, answerExtractor, settings, parse.GetValue(seed), cancellationToken);
            var markdown = EnsembleReport.Markdown([evaluation]);
            await File.WriteAllTextAsync(parse.GetValue(output)!, markdown, cancellationToken);
            Console.Write(markdown);
            return 0;
        });
        return command;
    }

    internal static IReadOnlyList<EnsembleSetting> Settings(int[] ks, double[] margins, double[] lambdas) =>
        lambdas.SelectMany(l => ks.SelectMany(k =>
            margins.Select(m => new EnsembleSetting(EnsembleMode.FanOut, k, m, l))
                .Prepend(new EnsembleSetting(EnsembleMode.Vote, k, 0, l))))
            .Concat(lambdas.Select(l => new EnsembleSetting(null, 1, 0, l)))
            .ToArray();

    private static async Task<EnsembleEvaluation> RunAsync(
        string train, string test, string poolSource, string data, IAnswerExtractor extractor,
        IReadOnlyList<EnsembleSetting> settings, int seed, CancellationToken cancellationToken)
    {
        var training = RoutingDatasetReader.Load(train, data);
        var (testPath, testSplits) = RoutingDatasetReader.ParseSource(test, data);

        var pool = ExpertPool.Parse(poolSource);
        var experts = PoolExperts.Build(pool, ModelPriceTable.Load(Path.Combine(data, "models.json")), training);
        var records = RoutingDatasetReader.Read(testPath, testSplits, includeResponses: true)
            .Where(r => experts.Any(e => r.Outcomes.ContainsKey(e.Id)))
            .ToArray();
        Console.Error.WriteLine($"training irt on {training.Count} prompts, {experts.Count} experts …");
        var router = new IrtRouterTrainer().Train(new RouterTrainingSet(training, experts, seed), cancellationToken);
        var table = new OutcomeTable(records, experts);
        var quality = await QualityMatrix.PredictAsync(router, records, experts, null, cancellationToken);
        var lambdas = LambdaSchedule.Create(experts, table.MeanPromptTokens, 41);
        return EnsembleEvaluator.Evaluate($"{pool.Name} on {test}", table, quality, extractor, lambdas, settings);
    }

    internal static bool IsHoldout(string source) =>
        source.EndsWith(":test", StringComparison.Ordinal) || source.Contains("+test", StringComparison.Ordinal) || source.Contains("test+", StringComparison.Ordinal);

    private static double[] Numbers(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();
}
