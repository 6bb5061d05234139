using System.Net;
using System.Text.Json;
using ExpertRouter.Cli.Tests.Commands;
using ExpertRouter.Evaluation.Importers;
using ExpertRouter.Cli.Commands;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Testing;

namespace ExpertRouter.Cli.Tests.Learning;

/// <summary>
/// The learning loop end to end on a small recorded benchmark (no ../shared): a gateway replays recorded answers, its
/// starting router does not know e2e-code, a tenant's traffic is explored at rate 0.2 and judged from the recorded
/// outcomes, a router is retrained from the log, hot-swapped through /admin/routers/reload, and the dev prompts routed
/// through the gateway again: code prompts now go to the cheap expert that answers them.
/// </summary>
public sealed class LearningLoopTests
{
    [Fact]
    public async Task Traffic_Exploration_Retraining_AndHotSwap_TeachTheGatewayANewExpert()
    {
        await using var loop = new LearningLoopFixture();
        loop.WriteData();
        var start = await CliFixture.RunAsync("train", "--train", loop.DataFile + ":train", "--pool", "e2e-dear,e2e-math", "--name", LearningLoopFixture.RouterName,
            "--out", loop.RouterFolder, "--data-dir", loop.Root, "--members", "1", "--epochs", "8", "--buckets", "1024", "--version", "start");
        Assert.Equal(0, start);
        await loop.StartGatewayAsync();
        var url = loop.Address.ToString();

        var before = await SendAsync(loop, url, "dev", LearningLoopFixture.ProbeKey, "before.jsonl");
        var traffic = await CliFixture.RunAsync("send", "--prompts", loop.DataFile + ":train", "--gateway", url, "--key", LearningLoopFixture.AcmeKey,
            "--feedback-share", "0.5", "--concurrency", "4", "--data-dir", loop.Root);
        var explored = await ExplorationsAsync(loop);

        var learned = Path.Combine(loop.Root, "learned");
        var retrain = await CliFixture.RunAsync("train", "--train", "log:" + loop.LogDirectory, "--pool", string.Join(',', LearningLoopFixture.Pool),
            "--name", LearningLoopFixture.RouterName, "--out", learned, "--data-dir", loop.Root, "--members", "1", "--epochs", "8", "--version", "learned",
            "--from", loop.RouterFolder);
        foreach (var file in Directory.GetFiles(learned))
        {
            File.Copy(file, Path.Combine(loop.RouterFolder, Path.GetFileName(file)), overwrite: true);
        }

        using var admin = loop.Admin();
        using var reload = await admin.PostAsync("/admin/routers/reload", null);
        var reloaded = await reload.Content.ReadAsStringAsync();
        var after = await SendAsync(loop, url, "dev", LearningLoopFixture.ProbeKey, "after.jsonl");

        Assert.Equal((0, 0), (traffic, retrain));
        Assert.InRange(explored, 24, 80);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Contains("\"learned\"", reloaded, StringComparison.Ordinal);
        Assert.DoesNotContain(before, d => d.Expert == "e2e-code");
        Assert.True(after.Count(d => d.Code && d.Expert == "e2e-code") >= 25, Describe(after));
        // Before, code prompts went to the cheap math expert (wrong) or the dear one; after, to the cheap code expert (right).
        Assert.True(after.Average(d => d.Score) >= before.Average(d => d.Score) + 0.3, $"before {Describe(before)}; after {Describe(after)}");
        Assert.DoesNotContain(after, d => d.Code && d.Expert != "e2e-code");
    }

    [RedisStreamsFact]
    public async Task ARouter_RetrainedFromTheRedisStreams_KnowsTheNewExpert()
    {
        using var redis = RedisStreamServer.Start();
        await using var loop = new LearningLoopFixture();
        loop.WriteData();
        Assert.Equal(0, await CliFixture.RunAsync("train", "--train", loop.DataFile + ":train", "--pool", "e2e-dear,e2e-math", "--name", LearningLoopFixture.RouterName,
            "--out", loop.RouterFolder, "--data-dir", loop.Root, "--members", "1", "--epochs", "8", "--buckets", "1024", "--version", "start"));
        await loop.StartGatewayAsync(redis.Endpoint);
        // Each run's streams start empty: an external Redis (CI's) may hold another test's log.
        using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true"))
        {
            await connection.GetDatabase().KeyDeleteAsync([LogSource.RequestStream, LogSource.ExplorationStream]);
        }

        Assert.Equal(0, await CliFixture.RunAsync("send", "--prompts", loop.DataFile + ":train", "--gateway", loop.Address.ToString(), "--key", LearningLoopFixture.AcmeKey,
            "--feedback-share", "0.5", "--concurrency", "4", "--data-dir", loop.Root));
        var explored = await ExplorationsAsync(loop, "log:redis://" + redis.Endpoint);
        var learned = Path.Combine(loop.Root, "learned-from-redis");

        var retrain = await CliFixture.RunAsync("train", "--train", "log:redis://" + redis.Endpoint, "--pool", string.Join(',', LearningLoopFixture.Pool),
            "--name", LearningLoopFixture.RouterName, "--out", learned, "--data-dir", loop.Root, "--members", "1", "--epochs", "8", "--from", loop.RouterFolder);

        Assert.Equal(0, retrain);
        var manifest = RouterManifest.Load(learned);
        Assert.Equal(LearningLoopFixture.Pool, manifest.Experts.Select(e => e.Id));
        Assert.Contains("log:redis://", manifest.Training!.Files[0], StringComparison.Ordinal);
        Assert.InRange(explored, 24, 80);
        await using var router = IrtSkillRouter.Load(learned, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var code = await router.PredictAsync(LearningLoopFixture.Record(241).Prompt);
        Assert.True(code[2] > code[1], $"on code, e2e-code {code[2]:F3} should beat e2e-math {code[1]:F3}");
    }

    [Fact]
    public async Task Label_ThroughAConfiguredGateway_ScoresWithTheJudge_AndResumes()
    {
        await using var loop = new LearningLoopFixture();
        loop.WriteData();
        await CliFixture.RunAsync("train", "--train", loop.DataFile + ":train", "--pool", "e2e-dear,e2e-math", "--name", LearningLoopFixture.RouterName,
            "--out", loop.RouterFolder, "--data-dir", loop.Root, "--members", "1", "--epochs", "2", "--buckets", "256");
        await loop.StartGatewayAsync();
        var output = Path.Combine(loop.Root, "labels.jsonl");
        string[] Label(string limit, string maxUsd) =>
        [
            "label", "--prompts", loop.DataFile + ":dev", "--experts", "e2e-code,e2e-math", "--judge", "e2e-judge", "--out", output,
            "--gateway", loop.Address.ToString(), "--key", LearningLoopFixture.LabelKey, "--limit", limit, "--max-usd", maxUsd,
            "--data-dir", loop.Root, "--max-output-tokens", "200",
        ];

        var first = await CliFixture.RunAsync(Label("10", "5"));
        var labelled = LabelRunRecords(output);
        var second = await CliFixture.RunAsync(Label("20", "5"));
        var all = LabelRunRecords(output);

        // e2e-dear costs 10 USD/MTok: a call's worst case (200 output tokens) is about 0.0028 USD with the margin, so a
        // 0.005 USD cap admits one call at a time and stops after a few.
        var capped = Path.Combine(loop.Root, "capped.jsonl");
        var stopped = await CliFixture.RunAsync("label", "--prompts", loop.DataFile + ":dev", "--experts", "e2e-dear", "--judge", "e2e-judge",
            "--out", capped, "--gateway", loop.Address.ToString(), "--key", LearningLoopFixture.LabelKey, "--max-usd", "0.005",
            "--data-dir", loop.Root, "--max-output-tokens", "200");
        var paid = LabelRunRecords(capped);

        Assert.Equal((0, 0, 0), (first, second, stopped));
        Assert.InRange(paid.Count, 1, 8);
        Assert.True(paid.Sum(r => 10e-6 * (Core.Experts.TokenEstimate.FromText(r.Prompt) + r.Outcomes["e2e-dear"].OutputTokensEst)) <= 0.005);
        Assert.Equal(10, labelled.Count);
        Assert.Equal(20, all.Count);
        Assert.All(all, r => Assert.Equal(["e2e-code", "e2e-math"], r.Outcomes.Keys.Order(StringComparer.Ordinal)));
        Assert.All(all, r => Assert.Equal(LearningLoopFixture.Record(int.Parse(r.Id[4..])).Outcomes["e2e-code"].Score, r.Outcomes["e2e-code"].Score));
        // The first ten were not asked again: their responses are the ones written first.
        Assert.Equal(labelled.Select(r => r.Outcomes["e2e-math"].Response), all.Take(10).Select(r => r.Outcomes["e2e-math"].Response));
    }

    [Fact]
    public async Task Label_WithoutAJudgeForUnreferencedPrompts_RefusesBeforeCalling()
    {
        await using var loop = new LearningLoopFixture();
        loop.WriteData();
        var output = Path.Combine(loop.Root, "labels.jsonl");

        var estimate = await CliFixture.RunAsync("label", "--prompts", loop.DataFile + ":dev", "--experts", "e2e-dear", "--judge", "e2e-judge",
            "--out", output, "--data-dir", loop.Root, "--estimate-only");
        var noJudge = await CliFixture.RunAsync("label", "--prompts", loop.DataFile + ":dev", "--experts", "e2e-dear",
            "--out", output, "--data-dir", loop.Root, "--gateway", "http://127.0.0.1:9", "--key", "k");

        Assert.Equal((0, 2), (estimate, noJudge));
        Assert.False(File.Exists(output));
    }

    private static List<Evaluation.Data.RoutingRecord> LabelRunRecords(string path) =>
        [.. Evaluation.Data.RoutingDatasetReader.Read(path, [], includeResponses: true)];

    /// <param name="source">The log to read: the fixture's directory unless given (log:redis://…).</param>
    private static async Task<int> ExplorationsAsync(LearningLoopFixture loop, string? source = null)
    {
        // Exploration runs after each answer, in the background: wait until every sampled request has its record.
        var count = 0;
        for (var i = 0; i < 300; i++)
        {
            var log = LogSource.Parse(source ?? "log:" + loop.LogDirectory).Read();
            var sampled = log.Requests.Count(r => r.ExplorationRate is not null && r.Tenant == "acme");
            count = log.Explorations.Count;
            if (sampled > 0 && count >= sampled)
            {
                return count;
            }

            await Task.Delay(200);
        }

        return count;
    }

    private static async Task<Decision[]> SendAsync(LearningLoopFixture loop, string url, string split, string key, string name)
    {
        var path = Path.Combine(loop.Root, name);
        var exit = await CliFixture.RunAsync("send", "--prompts", loop.DataFile + ":" + split, "--gateway", url, "--key", key,
            "--out", path, "--concurrency", "4", "--data-dir", loop.Root);
        Assert.Equal(0, exit);
        return [.. File.ReadAllLines(path).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var id = root.GetProperty("id").GetString()!;
            return new Decision(
                !LearningLoopFixture.IsMath(int.Parse(id[4..])),
                root.TryGetProperty("expert", out var e) ? e.GetString() : null,
                root.TryGetProperty("score", out var s) ? s.GetDouble() : 0,
                root.TryGetProperty("cost_usd", out var c) ? c.GetDouble() : 0);
        })];
    }

    private static string Describe(IEnumerable<Decision> decisions) =>
        string.Join(", ", decisions.GroupBy(d => (d.Code ? "code" : "math") + "→" + d.Expert).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) +
        $" (score {decisions.Average(d => d.Score):F3}, cost {decisions.Sum(d => d.Cost):F5})";

    private sealed record Decision(bool Code, string? Expert, double Score, double Cost);
}
