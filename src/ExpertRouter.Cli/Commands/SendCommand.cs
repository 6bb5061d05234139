using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Cli.Labelling;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter send --prompts zeroeval:dev --gateway URL --key K [--model auto] [--feedback-share 0.3] --out decisions.jsonl</c>:
/// replays a dataset's prompts as a tenant's traffic through a gateway and writes, per prompt, who answered, what it
/// cost (its usage at models.json's prices) and, where the source recorded that expert's outcome, its score. With <c>--feedback-share</c> a seeded share
/// of the answers is scored back through <c>POST /v1/feedback</c> with that recorded score: simulated users, for
/// end-to-end runs of the learning loop on recorded data (evals/learning-e2e.sh).
/// </summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Dataset source whose prompts are sent (zeroeval:dev, a .jsonl(.gz) path with an optional :split).", Required = true };
        var gateway = new Option<string?>("--gateway") { Description = "Base URL of a running gateway; default $EXPERTROUTER_URL." };
        var key = new Option<string?>("--key") { Description = "The tenant's API key; default $EXPERTROUTER_API_KEY." };
        var model = new Option<string>("--model") { Description = "The request's model: auto (the tenant's router), a router's name or an expert id.", DefaultValueFactory = _ => "auto" };
        var output = new Option<string?>("--out") { Description = "Decisions (JSONL): id, request_id, expert, cost_usd, score." };
        var feedbackShare = new Option<double>("--feedback-share") { Description = "Share of answers scored back through /v1/feedback with their recorded score (simulated users).", DefaultValueFactory = _ => 0 };
        var reference = new Option<bool>("--with-reference") { Description = "Send each prompt's reference as metadata.reference (the exploration judge then compares with it)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 8 };
        var maxOutput = new Option<int>("--max-output-tokens") { Description = "max_tokens of each request.", DefaultValueFactory = _ => 1024 };
        var seed = new Option<int>("--seed") { Description = "Seeds which answers get feedback.", DefaultValueFactory = _ => 17 };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var command = new Command("send", "Send a dataset's prompts through a gateway as a tenant's traffic (optionally with simulated feedback) and record who answered.")
        {
            prompts, gateway, key, model, output, feedbackShare, reference, concurrency, maxOutput, seed, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var url = parse.GetValue(gateway) ?? Environment.GetEnvironmentVariable("EXPERTROUTER_URL");
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("EXPERTROUTER_API_KEY");
            if (url is null || apiKey is null || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var address))
            {
                Console.Error.WriteLine("send: give the gateway's URL (--gateway or $EXPERTROUTER_URL) and the tenant's key (--key or $EXPERTROUTER_API_KEY).");
                return 2;
            }

            var share = parse.GetValue(feedbackShare);
            if (share is < 0 or > 1 || parse.GetValue(concurrency) < 1)
            {
                Console.Error.WriteLine("send: --feedback-share must lie in [0, 1] and --concurrency be at least 1.");
                return 2;
            }

            IReadOnlyList<RoutingRecord> records;
            ModelPriceTable prices;
            try
            {
                records = RoutingDatasetReader.Load(parse.GetValue(prompts)!, parse.GetValue(data)!);
                // A routed answer carries its usage, not its cost: priced here as the harness prices recorded outcomes.
                prices = ModelPriceTable.Load(Path.Combine(parse.GetValue(data)!, "models.json"));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or JsonException)
            {
                Console.Error.WriteLine($"send: {ex.Message}");
                return 2;
            }

            await using var client = GatewayChatClient.Connect(address, apiKey);
            var decisions = new Decision[records.Count];
            var random = new Random(parse.GetValue(seed));
            var feedback = records.Select(_ => random.NextDouble() < share).ToArray();
            var done = 0;
            await ConsoleProgress.RunAsync(async report =>
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, records.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = parse.GetValue(concurrency), CancellationToken = cancellationToken }, async (i, ct) =>
                    {
                        var record = records[i];
                        var metadata = parse.GetValue(reference) && record.Reference is { } r ? new JsonObject { ["reference"] = r } : null;
                        var answer = await client.CompleteAsync(parse.GetValue(model)!, record.Prompt, parse.GetValue(maxOutput), metadata, ct);
                        double? score = answer.AnsweredBy is { } by && record.Outcomes.TryGetValue(by, out var outcome) ? outcome.Score : null;
                        var scored = feedback[i] && answer.Succeeded && answer.RequestId is { } id && score is { } s && await client.FeedbackAsync(id, s, ct);
                        var cost = answer.CostUsd ?? (answer.AnsweredBy is { } expert && prices.TryGet(expert, out var price)
                            ? price.CostUsd(answer.PromptTokens, answer.CompletionTokens)
                            : null);
                        decisions[i] = new Decision(record.Id, answer.RequestId, answer.Succeeded ? answer.AnsweredBy : null, cost, score, scored, answer.Error);
                        var n = Interlocked.Increment(ref done);
                        report("send", $"{n}/{records.Count} prompts", n / (double)records.Count);
                    });
                return 0;
            });

            if (parse.GetValue(output) is { } path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                await File.WriteAllLinesAsync(path, decisions.Select(d => JsonSerializer.Serialize(d, DecisionJson)), cancellationToken);
            }

            var answered = decisions.Where(d => d.Expert is not null).ToArray();
            var scoredAnswers = answered.Where(d => d.Score is not null).ToArray();
            Console.WriteLine($"send: {answered.Length} of {records.Count} prompts answered, {decisions.Count(d => d.Feedback)} scored back as feedback; " +
                $"cost {answered.Sum(d => d.CostUsd ?? 0):F4} USD" +
                (scoredAnswers.Length > 0 ? $", mean recorded score of the answers {scoredAnswers.Average(d => d.Score!.Value):F4} ({scoredAnswers.Length} with a recorded outcome)" : ""));
            foreach (var group in answered.GroupBy(d => d.Expert).OrderByDescending(g => g.Count()))
            {
                Console.WriteLine($"  {group.Key}: {group.Count()}");
            }

            foreach (var error in decisions.Where(d => d.Error is not null).Select(d => d.Error).Distinct().Take(5))
            {
                Console.Error.WriteLine($"send: {error}");
            }

            return answered.Length == 0 ? 1 : 0;
        });
        return command;
    }

    private static readonly JsonSerializerOptions DecisionJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private sealed record Decision(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("request_id")] string? RequestId,
        [property: System.Text.Json.Serialization.JsonPropertyName("expert")] string? Expert,
        [property: System.Text.Json.Serialization.JsonPropertyName("cost_usd")] double? CostUsd,
        [property: System.Text.Json.Serialization.JsonPropertyName("score")] double? Score,
        [property: System.Text.Json.Serialization.JsonPropertyName("feedback")] bool Feedback,
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error);
}
