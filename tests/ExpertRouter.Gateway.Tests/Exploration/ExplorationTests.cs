using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Exploration;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;
using static ExpertRouter.Gateway.Tests.Exploration.ExplorationGateway;

namespace ExpertRouter.Gateway.Tests.Exploration;

/// <summary>Exploration end to end: who is explored, what is logged and charged, and that the client never notices.</summary>
public sealed class ExplorationTests(ExplorationGateway gateway) : IClassFixture<ExplorationGateway>
{
    [Fact]
    public void Policy_WithoutExploration_IsOff()
    {
        Assert.False(new TenantPolicy().Exploration.Enabled);
        Assert.False(new ExplorationPolicy { Rate = 0.5 }.Enabled);
    }

    [Fact]
    public async Task SampledRequest_EveryAnswerIsJudged_AndLoggedAsARoutingRecord_AndChargedAsExploration()
    {
        var (id, response) = await SendAsync(ExplorerKey, "What is the capital of France?");

        var record = await ExplorationOfAsync(id);
        var ledger = await LogFolder.UntilAsync(
            async () => (await gateway.ExplorationLedgerAsync("explorer")) is { Count: 3 } lines ? lines : null, "three exploration lines in the ledger");

        Assert.Equal("Paris", await ContentAsync(response));
        Assert.Equal(["ex-cheap", "ex-dear", "ex-mid"], record.Outcomes.Keys.Order(StringComparer.Ordinal));
        Assert.All(record.Outcomes.Values, o => Assert.Equal(0.75, o.Score));
        Assert.Equal(("Paris", "Lyon"), (record.Outcomes["ex-cheap"].Response, record.Outcomes["ex-dear"].Response));
        Assert.True(record.Outcomes["ex-mid"].OutputTokensEst > 0);
        Assert.Equal(("exploration", "explorer", "What is the capital of France?", "ex-cheap", "ex-judge", "rubric"),
            (record.Benchmark, record.Task, record.Prompt, record.Served, record.Judge, record.JudgedBy));
        Assert.Equal((1.0, 1.0), (record.SamplingProbability, record.SelectionProbability));
        Assert.Equal(new Dictionary<string, double> { ["ex-dear"] = 1, ["ex-mid"] = 1 }, record.SelectionProbabilities);
        Assert.StartsWith("ex-", record.Id);
        Assert.Contains(record.Split, new[] { "train", "dev", "test" });
        Assert.True(record.CostUsd > 0);
        Assert.Equal(["exploration/ex-dear", "exploration/ex-judge", "exploration/ex-mid"], ledger.Select(l => l.Expert).Order(StringComparer.Ordinal));
        Assert.Equal(1.0, (await gateway.Log.RecordAsync(id)).ExplorationRate);
    }

    [Fact]
    public async Task StreamedRequest_IsExploredFromTheAnswerTheClientStreamed()
    {
        var (id, response) = await SendAsync(ExplorerKey, "Stream the capital of France.", ""","stream":true""");

        var record = await ExplorationOfAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Paris", record.Outcomes["ex-cheap"].Response);
    }

    [Fact]
    public async Task Exploration_NeverDelaysTheAnswer()
    {
        // The shared gateway's first request pays for its warm-up (seconds on a loaded CI machine, as one run found):
        // a request from the tenant that does not explore takes it, so the clock below times the answer alone.
        await SendAsync(QuietKey, "Warm up.");
        var watch = Stopwatch.StartNew();
        var (id, response) = await SendAsync(SlowpokeKey, "Answer me now, explore later.");
        var answered = watch.Elapsed;

        var record = await ExplorationOfAsync(id);

        Assert.Equal("Paris", await ContentAsync(response));
        Assert.True(answered < TimeSpan.FromSeconds(2), $"The answer took {answered}; ex-slow takes 3 s.");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(3));
        Assert.Contains("ex-slow", record.Outcomes.Keys);
        // This tenant hashes prompts: the answers' text is not kept either.
        Assert.Null(record.Outcomes["ex-slow"].Response);
        Assert.Equal("", record.Prompt);
    }

    [Fact]
    public async Task ConcurrentSamples_StopAtTheDailyBudget()
    {
        var sent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(BudgetedKey, $"Budget test {i}")));
        Assert.All(sent, s => Assert.Equal(HttpStatusCode.OK, s.Response.StatusCode));
        var ids = sent.Select(s => s.Id).ToHashSet();
        // Every sample ends explored or skipped: wait until the explorer is through with all of them.
        var metrics = gateway.Host.Services.GetRequiredService<ExplorationMetrics>();
        await LogFolder.UntilAsync(() => metrics.FinishedTotal >= metrics.SampledTotal ? "" : null, "every sample finished");
        await Task.Delay(200);

        var explored = gateway.Log.Explorations().Count(r => ids.Contains(r.RequestId));
        var ledger = await gateway.ExplorationLedgerAsync("budgeted");
        var spent = gateway.Host.Services.GetRequiredService<ExplorationBudget>().SpentTodayUsd("budgeted");

        Assert.InRange(explored, 1, 19);
        Assert.True(spent <= Budget, $"Exploration spent {spent} USD of a {Budget} USD budget.");
        Assert.True(ledger.Sum(l => l.CostUsd) <= Budget + 1e-6, $"The ledger holds {ledger.Sum(l => l.CostUsd)} USD of exploration.");
        Assert.True(metrics.SampledTotal >= 20);
    }

    [Fact]
    public async Task Exploration_NeverCrossesTenants()
    {
        var (quietId, _) = await SendAsync(QuietKey, "Keep me to myself.");
        var (explorerId, _) = await SendAsync(ExplorerKey, "Explore me.");
        await ExplorationOfAsync(explorerId);

        var quietRecord = await gateway.Log.RecordAsync(quietId);

        Assert.Null(quietRecord.ExplorationRate);
        Assert.DoesNotContain(gateway.Log.Explorations(), r => r.RequestId == quietId || r.Tenant == "quiet");
        Assert.All(gateway.Log.Explorations().Where(r => r.RequestId == explorerId), r => Assert.Equal(("explorer", "explorer"), (r.Tenant, r.Task)));
        Assert.Empty(await gateway.ExplorationLedgerAsync("quiet"));
    }

    [Fact]
    public async Task RequestWithAReference_IsJudgedAgainstIt()
    {
        var (id, _) = await SendAsync(ReferencedKey, "Capital of France?", ""","metadata":{"reference":"Paris"}""");

        var record = await ExplorationOfAsync(id);

        Assert.Equal(("reference", "Paris", "ex-recorder"), (record.JudgedBy, record.Reference, record.Judge));
        var judged = gateway.Recorder.Requests.Select(r => Encoding.UTF8.GetString(r.Body)).Where(b => b.Contains("Capital of France?")).ToList();
        Assert.Equal(2, judged.Count);
        Assert.All(judged, b => Assert.Contains("Reference answer:\\nParis", b));
        // The recorder answers "ok", which is no score: those answers stay unscored rather than guessed.
        Assert.Empty(record.Outcomes);
    }

    private async Task<ExplorationRecord> ExplorationOfAsync(string id) =>
        await LogFolder.UntilAsync(() => gateway.Log.Explorations().FirstOrDefault(r => r.RequestId == id), $"an exploration record for {id}");

    private async Task<(string Id, HttpResponseMessage Response)> SendAsync(string key, string prompt, string extra = "")
    {
        using var client = gateway.Host.CreateClient(key);
        var id = "req-explore-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"auto","messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]{{extra}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-request-id", id);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return (id, response);
    }

    private static async Task<string> ContentAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
