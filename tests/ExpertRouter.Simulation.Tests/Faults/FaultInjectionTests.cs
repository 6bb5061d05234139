using System.Net;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Faults;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task Rule_Status429WithRetryAfter_AnswersRateLimitEnvelope()
    {
        var options = new SimulatorOptions { Faults = [new FaultRule { Model = "busy", Kind = "status", StatusCode = 429, RetryAfterSeconds = 3 }] };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var (busy, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("busy", "hi"));
        var (other, _) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("idle", "hi"));

        Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), busy.Headers.RetryAfter!.Delta);
        Assert.Equal("rate_limit_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, server.RequestCount("busy"));
    }

    [Fact]
    public async Task Rule_StatusWithBody_AnswersRawBody()
    {
        var options = new SimulatorOptions { Faults = [new FaultRule { Kind = "status", StatusCode = 503, Body = """{"oops":true}""" }] };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var response = await client.SendAsync(SimulatorClient.Post("chat/completions", SimulatorClient.Chat("m", "hi")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"oops":true}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rule_EveryNth_HitsExactlyEveryNthMatchingRequest()
    {
        var options = new SimulatorOptions { Faults = [new FaultRule { Kind = "status", StatusCode = 500, EveryNth = 3 }] };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((int)(await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"))).Response.StatusCode);
        }

        Assert.Equal([200, 200, 500, 200, 200, 500], statuses);
    }

    [Fact]
    public async Task Rule_Probability_IsReproducibleForTheSameSeed()
    {
        static async Task<List<int>> RunAsync()
        {
            var options = new SimulatorOptions { Seed = 42, Faults = [new FaultRule { Kind = "status", StatusCode = 502, Probability = 0.5 }] };
            await using var server = await SimulatedExpertServer.StartAsync(options);
            using var client = SimulatorClient.For(server);
            var statuses = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                statuses.Add((int)(await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"))).Response.StatusCode);
            }

            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(502, first);
        Assert.Contains(200, first);
    }

    [Fact]
    public async Task Header_Status_OverridesRulesForOneRequest()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (faulted, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"), "status;code=500");
        var (next, _) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"));

        Assert.Equal(HttpStatusCode.InternalServerError, faulted.StatusCode);
        Assert.Equal("server_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData("explode")]
    [InlineData("status;code=abc")]
    [InlineData("delay;speed=3")]
    public async Task Header_Malformed_Returns400(string header)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"), header);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("x-simulator-fault", json["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reset_AbortsConnectionWithoutResponse()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Faults = [new FaultRule { Kind = "reset" }] });
        using var client = SimulatorClient.For(server);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(SimulatorClient.Post("chat/completions", SimulatorClient.Chat("m", "hi"))));
        Assert.Equal(1, server.RequestCount("m"));
    }

    [Fact]
    public async Task MidstreamCut_DeliversFirstEventsThenBreaksStream()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var body = SimulatorClient.Chat("m", "hi");
        body["stream"] = true;

        var response = await client.SendAsync(SimulatorClient.Post("chat/completions", body, "midstream-cut;after=3"), HttpCompletionOption.ResponseHeadersRead);
        var received = new List<string>();
        var failure = await Record.ExceptionAsync(() => SimulatorClient.ReadEventsAsync(response, received));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(failure);
        Assert.Equal(3, received.Count);
        Assert.DoesNotContain("[DONE]", received);
    }

    [Fact]
    public async Task MidstreamCut_AfterZeroEvents_FailsBeforeAnyByte()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var body = SimulatorClient.Chat("m", "hi");
        body["stream"] = true;

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.SendAsync(SimulatorClient.Post("chat/completions", body, "midstream-cut;after=0"), HttpCompletionOption.ResponseHeadersRead));
    }

    [Fact]
    public async Task MidstreamCut_NonStreaming_SendsTruncatedBodyThenBreaks()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Faults = [new FaultRule { Kind = "midstream-cut" }] });
        using var client = SimulatorClient.For(server);

        var failure = await Record.ExceptionAsync(async () =>
        {
            var response = await client.SendAsync(SimulatorClient.Post("chat/completions", SimulatorClient.Chat("m", "hi")));
            JsonNode.Parse(await response.Content.ReadAsStringAsync());
        });

        Assert.NotNull(failure);
    }

    [Fact]
    public async Task Faults_ApplyToEmbeddingsToo()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Faults = [new FaultRule { Model = "embed", Kind = "status", StatusCode = 429 }] });
        using var client = SimulatorClient.For(server);

        var (response, _) = await client.PostJsonAsync("embeddings", new JsonObject { ["model"] = "embed", ["input"] = "x" });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }
}
