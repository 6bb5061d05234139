using System.CommandLine;
using System.Diagnostics;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Reports;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter eval</c>: trains the named routers, replays the test outcomes over a λ sweep, and writes
/// report.md, report.html, quality-cost.svg/.png, points.csv and routers.csv (each router's figures unrounded) into a results folder.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var routers = new Option<string>("--routers") { Description = "Comma-separated router names, or 'all'; 'a+b' or 'a:0.3+b:0.7' blends registered routers' predictions.", DefaultValueFactory = _ => "all" };
        var sweep = new Option<int>("--sweep") { Description = "Number of λ settings per router.", DefaultValueFactory = _ => 41 };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for confidence intervals (0 = none).", DefaultValueFactory = _ => 200 };
        var output = new Option<string?>("--out") { Description = "Results folder; default evals/results/<pool>-<UTC time>." };
        var strong = new Option<string?>("--strong") { Description = "Strong expert for APGR/CPT (default: best single)." };
        var weak = new Option<string?>("--weak") { Description = "Weak expert for APGR/CPT (default: cheapest expert cheaper than the strong one with a train mean at least halfway between the pool's worst and best)." };
        var oodTasks = new Option<int>("--ood-tasks") { Description = "Held-out tasks for the in-domain vs out-of-domain table (0 = skip).", DefaultValueFactory = _ => 0 };
        var conversations = new Option<string?>("--conversations")
        {
            Description = "With --cv: replay each fold's test prompts as built conversations (history, history:N, follow-up) to measure what a router should read of one.",
        };
        var cv = new Option<int>("--cv") { Description = "K-fold cross-validation by prompt over --train (e.g. zeroeval:train+dev; no --test): mean and std over folds. 0 = off.", DefaultValueFactory = _ => 0 };
        var command = new Command("eval", "Evaluate routers on recorded outcomes: quality–cost curves, AIQ, APGR, CPT, reports with plots.");
        foreach (var option in data.All.Concat([routers, sweep, bootstrap, output, strong, weak, oodTasks, cv, conversations]))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var clock = Stopwatch.StartNew();
            if (parse.GetValue(cv) is > 0 and var folds)
            {
                return await CrossValidateAsync(parse, data, parse.GetValue(routers)!, folds, parse.GetValue(sweep), parse.GetValue(output), parse.GetValue(conversations), cancellationToken);
            }

            if (parse.GetValue(conversations) is not null)
            {
                Console.Error.WriteLine("eval: --conversations replays cross-validation folds; use it with --cv.");
                return 2;
            }

            var inputs = data.Load(parse, testOutcomes: true, "eval");
            if (inputs is null)
            {
                return 2;
            }

            var registry = RouterCatalog.Build(() => inputs.Test);
            var trainers = registry.Resolve(parse.GetValue(routers)!, out var unknown);
            if (unknown.Count > 0 || trainers.Count == 0)
            {
                Console.Error.WriteLine($"eval: unknown router(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", registry.Names)}; blends of them: a+b or a:0.3+b:0.7.");
                return 2;
            }

            var options = new PoolEvaluationOptions
            {
                Settings = parse.GetValue(sweep),
                BootstrapSamples = parse.GetValue(bootstrap),
                Seed = parse.GetValue(data.Seed),
                Strong = parse.GetValue(strong),
                Weak = parse.GetValue(weak),
            };
            Console.Error.WriteLine($"eval: {inputs.Training.Count} train / {inputs.Test.Count} test prompts, pool {inputs.Pool.Name} " +
                $"({inputs.Experts.Count} experts), loaded in {clock.Elapsed.TotalSeconds:F1} s");
            var (evaluation, shift) = await ConsoleProgress.RunAsync(async report =>
            {
                var evaluator = new PoolEvaluator(options);
                evaluator.Progress += report;
                var result = await evaluator.EvaluateAsync(inputs.Pool.Name, inputs.Training, inputs.Test, inputs.Experts, trainers, cancellationToken);
                DomainShiftTable? table = null;
                if (parse.GetValue(oodTasks) > 0)
                {
                    table = await new DomainShiftEvaluator(options).EvaluateAsync(
                        inputs.Training, inputs.Test, inputs.Experts, trainers, parse.GetValue(oodTasks),
                        stage => report("in/out-of-domain", stage, 0), cancellationToken);
                    report("in/out-of-domain", "done", 1);
                }

                return (result, table);
            });

            var folder = parse.GetValue(output) ?? Path.Combine("evals", "results", $"{Slug(inputs.Pool.Name)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var commandLine = "expertrouter " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            ReportWriter.Write(folder, evaluation, shift, commandLine);
            Console.WriteLine(MarkdownReport.Render(evaluation, commandLine, null, shift));
            Console.Error.WriteLine($"eval: reports in {folder} ({clock.Elapsed.TotalSeconds:F1} s in all)");
            return 0;
        });
        return command;
    }

    private static async Task<int> CrossValidateAsync(
        ParseResult parse, DataOptions data, string routerNames, int folds, int settings, string? output, string? conversations, CancellationToken cancellationToken)
    {
        ConversationProbe? probe = null;
        if (conversations is not null)
        {
            (probe, var probeError) = ConversationProbe.Parse(conversations);
            if (probe is null)
            {
                Console.Error.WriteLine($"eval: --conversations: {probeError}");
                return 2;
            }
        }

        if (parse.GetValue(data.Test) is not null)
        {
            Console.Error.WriteLine("eval: --cv tests on folds of --train; leave --test out (train on e.g. zeroeval:train+dev).");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var inputs = data.LoadForCrossValidation(parse, "eval");
        if (inputs is null)
        {
            return 2;
        }

        // The oracle looks answers up by id, so the whole record set is its key for every fold.
        var registry = RouterCatalog.Build(() => inputs.Records);
        var trainers = registry.Resolve(routerNames, out var unknown);
        if (unknown.Count > 0 || trainers.Count == 0)
        {
            Console.Error.WriteLine($"eval: unknown router(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", registry.Names.Concat(registry.OnRequestNames))}.");
            return 2;
        }

        var options = new CrossValidationOptions { Folds = folds, Seed = parse.GetValue(data.Seed), Settings = settings, Conversations = probe };
        if (options.Validate() is { Count: > 0 } errors)
        {
            Console.Error.WriteLine("eval: " + string.Join(" ", errors));
            return 2;
        }

        Console.Error.WriteLine($"eval: {folds}-fold cross-validation over {inputs.Records.Count} prompts, pool {inputs.Pool.Name}, loaded in {clock.Elapsed.TotalSeconds:F1} s");
        var result = await ConsoleProgress.RunAsync(async report =>
        {
            var validation = new CrossValidation(options);
            validation.Progress += report;
            return await validation.EvaluateAsync(inputs.Pool.Name, inputs.Records, inputs.ExpertsFor, trainers, cancellationToken);
        });
        var folder = output ?? Path.Combine("evals", "results", $"cv-{Slug(inputs.Pool.Name)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        var commandLine = "expertrouter " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        CrossValidationReport.Write(folder, result, commandLine);
        Console.WriteLine(CrossValidationReport.Markdown(result, commandLine));
        Console.Error.WriteLine($"eval: cross-validation report in {folder} ({clock.Elapsed.TotalSeconds:F1} s in all)");
        return 0;
    }

    private static string Slug(string name) => new(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
}
