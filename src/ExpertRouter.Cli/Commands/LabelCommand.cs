using System.CommandLine;
using ExpertRouter.Cli.Labelling;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter label --prompts zeroeval:dev --experts a,b,c [--judge X] --out labels.jsonl --gateway URL --key K</c>:
/// sends each prompt to each expert through a gateway (running, or started here from <c>--config</c>), scores the
/// answers with the reference extractors where the source has references and with the judge otherwise, and writes
/// routing records. Prints the estimated cost first; never spends past <c>--max-usd</c>; a rerun skips the pairs the
/// output already holds.
/// </summary>
internal static class LabelCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Prompts to label: a dataset split (zeroeval:dev, a .jsonl(.gz) path with an optional :split) or a tenant's logged prompts (log:DIR, log:redis://host:port; with --tenant).", Required = true };
        var experts = new Option<string>("--experts") { Description = "Experts to label, comma-separated (ids the gateway knows).", Required = true };
        var judge = new Option<string?>("--judge") { Description = "Expert that scores answers without a reference extractor (rubric, or comparison with the prompt's reference)." };
        var output = new Option<string>("--out") { Description = "Routing records to write (JSONL); pairs it already holds are skipped.", Required = true };
        var gateway = new Option<string?>("--gateway") { Description = "Base URL of a running gateway (e.g. http://127.0.0.1:8080); default $EXPERTROUTER_URL." };
        var config = new Option<string?>("--config") { Description = "A gateway configuration (JSON, as appsettings.json) to start in this process instead of --gateway." };
        var key = new Option<string?>("--key") { Description = "The tenant's API key; default $EXPERTROUTER_API_KEY." };
        var tenant = new Option<string?>("--tenant") { Description = "With a log source: only this tenant's prompts." };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight at once.", DefaultValueFactory = _ => 4 };
        var maxUsd = new Option<double>("--max-usd") { Description = "Hard cap on what this run spends (expert and judge calls); a call whose worst case would cross it is not started.", DefaultValueFactory = _ => 5 };
        var maxOutput = new Option<int>("--max-output-tokens") { Description = "max_tokens of each expert call.", DefaultValueFactory = _ => 1024 };
        var limit = new Option<int?>("--limit") { Description = "Label only the first N prompts of the source." };
        var estimateOnly = new Option<bool>("--estimate-only") { Description = "Print the plan and its estimated cost, and call nothing." };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data (and models.json).", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var prices = new Option<string?>("--prices") { Description = "Price table (models.json format); default models.json in --data-dir." };
        var command = new Command("label", "Label prompts with experts' outcomes through the gateway: routing records for train and add-expert.")
        {
            prompts, experts, judge, output, gateway, config, key, tenant, concurrency, maxUsd, maxOutput, limit, estimateOnly, data, prices,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new LabelSettings
            {
                Experts = parse.GetValue(experts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray(),
                Judge = parse.GetValue(judge),
                Output = parse.GetValue(output)!,
                Concurrency = parse.GetValue(concurrency),
                MaxUsd = parse.GetValue(maxUsd),
                MaxOutputTokens = parse.GetValue(maxOutput),
            };
            if (settings.Experts.Count == 0 || settings.Concurrency < 1 || settings.MaxUsd <= 0 || settings.MaxOutputTokens < 1)
            {
                Console.Error.WriteLine("label: give at least one expert, --concurrency ≥ 1, --max-usd > 0 and --max-output-tokens ≥ 1.");
                return 2;
            }

            var dataDirectory = parse.GetValue(data)!;
            IReadOnlyList<LabelPrompt> source;
            ModelPriceTable table;
            try
            {
                source = LabelPrompts.Load(parse.GetValue(prompts)!, dataDirectory, parse.GetValue(tenant), m => Console.Error.WriteLine($"label: {m}"));
                table = ModelPriceTable.Load(parse.GetValue(prices) ?? Path.Combine(dataDirectory, "models.json"));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"label: {ex.Message}");
                return 2;
            }

            if (parse.GetValue(limit) is { } first)
            {
                source = [.. source.Take(first)];
            }

            if (source.Count == 0)
            {
                Console.Error.WriteLine($"label: {parse.GetValue(prompts)} has no prompt to label.");
                return 2;
            }

            var gatewayUrl = parse.GetValue(gateway) ?? Environment.GetEnvironmentVariable("EXPERTROUTER_URL");
            var configFile = parse.GetValue(config);
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("EXPERTROUTER_API_KEY");
            // Planning needs no gateway; the run does.
            var planner = new LabelRun(settings, null!, Price(table));
            var plan = planner.Plan(source);
            Console.WriteLine($"label: {plan.Pairs.Count} pairs to label ({source.Count} prompts × {settings.Experts.Count} experts, " +
                $"{plan.DonePairs} already in {settings.Output}); {plan.Pairs.Count - plan.JudgedPairs} scored by reference, {plan.JudgedPairs} by the judge");
            Console.WriteLine($"label: estimated cost {plan.EstimatedUsd:F4} USD (experts {plan.ExpertUsd:F4}, judge {plan.JudgeUsd:F4}); hard stop at {settings.MaxUsd:F2} USD");
            if (plan.Problems.Count > 0)
            {
                plan.Problems.ToList().ForEach(p => Console.Error.WriteLine($"label: {p}"));
                return 2;
            }

            if (parse.GetValue(estimateOnly) || plan.Pairs.Count == 0)
            {
                return 0;
            }

            if ((gatewayUrl is null) == (configFile is null) || apiKey is null)
            {
                Console.Error.WriteLine("label: give a gateway (--gateway URL or $EXPERTROUTER_URL) or a configuration to start one (--config FILE), not both, and the tenant's key (--key or $EXPERTROUTER_API_KEY).");
                return 2;
            }

            if (gatewayUrl is not null && !Uri.TryCreate(gatewayUrl.TrimEnd('/') + "/", UriKind.Absolute, out _))
            {
                Console.Error.WriteLine($"label: --gateway '{gatewayUrl}' is not an absolute URL.");
                return 2;
            }

            GatewayChatClient client;
            try
            {
                client = configFile is not null
                    ? await GatewayChatClient.StartAsync(configFile, apiKey)
                    : GatewayChatClient.Connect(new Uri(gatewayUrl!.TrimEnd('/') + "/"), apiKey);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"label: the gateway of {configFile} did not start: {ex.Message}");
                return 2;
            }

            await using (client)
            {
                var run = new LabelRun(settings, client, Price(table));
                var summary = await ConsoleProgress.RunAsync(async report =>
                {
                    report("label", $"0/{plan.Pairs.Count} pairs", 0);
                    return await run.RunAsync(plan, (done, total, spent) => report("label", $"{done}/{total} pairs, {spent:F4} USD", done / (double)total), cancellationToken);
                });
                summary.Errors.ToList().ForEach(e => Console.Error.WriteLine($"label: {e}"));
                Console.WriteLine($"label: {summary.Labelled} pairs labelled, {summary.Failed} failed, {summary.Skipped} not started; spent {summary.SpentUsd:F4} USD → {settings.Output}");
                if (summary.StoppedAtBudget)
                {
                    Console.WriteLine($"label: stopped at the {settings.MaxUsd:F2} USD cap; rerun with a higher --max-usd to label the rest (done pairs are skipped).");
                }

                return summary.Failed > 0 && summary.Labelled == 0 ? 1 : 0;
            }
        });
        return command;
    }

    private static Func<string, ModelPrice?> Price(ModelPriceTable table) => id => table.TryGet(id, out var price) ? price : null;
}
