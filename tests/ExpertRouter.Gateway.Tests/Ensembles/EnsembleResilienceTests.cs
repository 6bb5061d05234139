using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Tests.Ensembles;

/// <summary>Ensemble sub-calls get what direct traffic gets: retries, circuits, fallback and the response cache.</summary>
public sealed class EnsembleResilienceTests(EnsembleResilienceGateway fixture) : IClassFixture<EnsembleResilienceGateway>
{
    private const string Deterministic = ""","temperature":0""";

    [Fact]
    public async Task Vote_ExpertFailsOnceWith503_IsRetriedAndTheEnsembleSucceedsWhole()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.RetryKey);
        // The simulator fails every second request to e-flaky: this direct call is the first, the ensemble's the second.
        using var warm = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("e-flaky"));
        var before = fixture.Calls("e-flaky");

        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("e-flaky;proposer;ok(retried 1)", EnsembleGateway.Experts(response));
        Assert.False(response.Headers.Contains("x-expertrouter-partial"));
        Assert.StartsWith("vote 3 of 3", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
        Assert.Equal(2, fixture.Calls("e-flaky") - before);
    }

    [Fact]
    public async Task Vote_EnsembleFailuresOpenTheCircuit_ThenTheExpertIsSkippedAndTheHeaderSaysSo()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.DownKey);
        var circuits = fixture.Host.Services.GetRequiredService<ExpertCircuits>();
        for (var i = 0; i < 3; i++)
        {
            using var failing = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));
            Assert.Equal(HttpStatusCode.OK, failing.StatusCode);
            Assert.Contains("e-down;proposer;failed(HTTP 500)", EnsembleGateway.Experts(failing));
        }

        var calledWhileClosed = fixture.Calls("e-down");
        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        // Every failure came from this tenant's requests (a 500), so the circuit that opened is this tenant's view of e-down.
        Assert.Equal(CircuitState.Open, circuits.StateOf("e-down", "ens-down"));
        Assert.Equal(CircuitState.Closed, circuits.StateOf("e-down"));
        Assert.Equal(3, calledWhileClosed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["e-down;proposer;skipped(circuit-open)", "e-a;proposer;ok", "e-b;proposer;ok"], EnsembleGateway.Experts(response));
        Assert.Equal("1 of 3 failed", EnsembleGateway.Header(response, "x-expertrouter-partial"));
        Assert.Equal(calledWhileClosed, fixture.Calls("e-down"));
    }

    [Fact]
    public async Task FanOutSingle_ChosenExpertFails_FallsBackToTheNextOfTheRanking()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.FallbackKey);

        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/single3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["e-down2;proposer;failed(HTTP 500)", "e-a;proposer;ok"], EnsembleGateway.Experts(response));
        Assert.Equal("e-a", EnsembleGateway.Header(response, "x-expertrouter-expert"));
        Assert.EndsWith("fell back to e-a", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task FanOutSingle_ChosenExpertFails_TheTenantsFallbackChainStandsInFirst()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.ChainKey);

        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/single3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["e-down2;proposer;failed(HTTP 500)", "e-c;proposer;ok"], EnsembleGateway.Experts(response));
        Assert.Equal("e-c", EnsembleGateway.Header(response, "x-expertrouter-expert"));
    }

    [Fact]
    public async Task DeterministicSubCalls_AreCachedUnderTheDirectCallKey_SoRepeatsCallNoExpert()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.CachedKey);
        string[] experts = ["e-a", "e-b", "e-c"];
        var before = fixture.Calls(experts);

        using var first = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3", Deterministic));
        var afterFirst = fixture.Calls(experts);
        // Another ensemble over the same three experts: the whole-response cache cannot answer it, the sub-call cache can.
        using var other = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/fan3", Deterministic));
        using var direct = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("e-b", Deterministic));
        using var sampled = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/fan3"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(["e-a;proposer;ok", "e-b;proposer;ok", "e-c;proposer;ok"], EnsembleGateway.Experts(first));
        Assert.Equal(3, afterFirst - before);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(["e-a;proposer;cached", "e-b;proposer;cached", "e-c;proposer;cached"], EnsembleGateway.Experts(other));
        Assert.Equal("0", EnsembleGateway.Header(other, "x-expertrouter-cost-usd"));
        var (_, usage) = await EnsembleGateway.ReadAsync(other);
        Assert.True(usage.GetProperty("total_tokens").GetInt32() > 0);
        Assert.Equal("hit", EnsembleGateway.Header(direct, "x-expertrouter-cache"));
        Assert.Equal(afterFirst, fixture.Calls(experts) - 3);
        // A sampling request (no temperature) is not cached, as for a direct call: all three are asked again.
        Assert.Equal(["e-a;proposer;ok", "e-b;proposer;ok", "e-c;proposer;ok"], EnsembleGateway.Experts(sampled));
        // Every sub-call hit is a saving in the tenant's ledger, like a direct hit (e-b also had the direct one).
        using var ledger = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/v1/usage"));
        var hits = ledger.RootElement.GetProperty("data").EnumerateArray()
            .Where(l => l.GetProperty("cache_hits").GetInt32() > 0)
            .ToDictionary(l => l.GetProperty("expert").GetString()!, l => (Hits: l.GetProperty("cache_hits").GetInt32(), Saved: l.GetProperty("saved_usd").GetDouble()));
        Assert.Equal([("e-a", 1), ("e-b", 2), ("e-c", 1)], hits.OrderBy(h => h.Key).Select(h => (h.Key, h.Value.Hits)));
        Assert.All(hits.Values, h => Assert.True(h.Saved > 0));
    }

    [Theory]
    [InlineData(EnsembleResilienceGateway.LiveKey, "moa-live", "e-slowwriter;aggregator;streaming", 4)]
    [InlineData(EnsembleResilienceGateway.LiveCascadeKey, "cascade-live", "e-slowwriter;proposer;streaming", 1)]
    public async Task FinalAnswer_StreamsLive_FirstChunkReachesTheClientBeforeTheExpertHasFinished(string key, string ensemble, string streaming, int calls)
    {
        using var client = fixture.Host.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = EnsembleGateway.Chat("ensemble/" + ensemble, ""","stream":true,"stream_options":{"include_usage":true}"""),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync());

        // The slow writer sends its first word, then waits for the simulator's clock, which only this test moves:
        // a gateway that buffered the answer would never deliver this chunk, and the read would time out.
        var first = await NextContentAsync(events).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(first);
        Assert.True(EnsembleResilienceGateway.SlowAnswer.StartsWith(first, StringComparison.Ordinal) && first.Length < EnsembleResilienceGateway.SlowAnswer.Length, first);
        var listed = EnsembleGateway.Experts(response);
        Assert.Equal(streaming, listed[^1]);
        Assert.Equal(calls, listed.Length);

        var rest = ReadToEndAsync(events);
        for (var i = 0; i < 200 && !rest.IsCompleted; i++)
        {
            fixture.SimulatorClock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(rest, Task.Delay(20));
        }

        var (text, usage, done) = await rest.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(EnsembleResilienceGateway.SlowAnswer, first + text);
        Assert.True(done);
        Assert.NotNull(usage);
        // The usage chunk counts every call, the streamed one (eight words) included.
        Assert.True(usage.Value.GetProperty("completion_tokens").GetInt32() >= 8);
    }

    [Fact]
    public async Task FinalAnswer_StreamBreaksAfterFirstToken_EndsWithAnErrorEventNotDone()
    {
        using var client = fixture.Host.CreateClient(EnsembleResilienceGateway.CutKey);

        using var response = await client.PostAsync("/v1/chat/completions",
            EnsembleGateway.Chat("ensemble/cascade-live", ""","stream":true"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"content\":\"one", body);
        Assert.Contains("upstream_stream_interrupted", body);
        Assert.DoesNotContain("[DONE]", body);
        Assert.Equal(["e-cut;proposer;streaming"], EnsembleGateway.Experts(response));
    }

    private static async Task<string?> NextContentAsync(StreamReader events)
    {
        while (await events.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && Content(line) is { Length: > 0 } piece)
            {
                return piece;
            }
        }

        return null;
    }

    private static async Task<(string Text, JsonElement? Usage, bool Done)> ReadToEndAsync(StreamReader events)
    {
        var text = new StringBuilder();
        JsonElement? usage = null;
        var done = false;
        while (await events.ReadLineAsync() is { } line)
        {
            if (line == "data: [DONE]")
            {
                done = true;
            }
            else if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                text.Append(Content(line));
                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                if (chunk.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                {
                    usage = u.Clone();
                }
            }
        }

        return (text.ToString(), usage, done);
    }

    private static string? Content(string line)
    {
        using var chunk = JsonDocument.Parse(line["data: ".Length..]);
        var choices = chunk.RootElement.GetProperty("choices");
        return choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var piece) ? piece.GetString() : null;
    }
}
