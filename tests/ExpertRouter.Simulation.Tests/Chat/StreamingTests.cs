using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Chat;

public sealed class StreamingTests
{
    [Fact]
    public async Task Stream_SendsRoleContentFinishThenDone_AndMatchesNonStreamingText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var events = await client.StreamAsync(SimulatorClient.Chat("m", "stream me"));
        var expected = await ChatCompletionTests.ContentAsync(client, "m", "stream me");

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.All(chunks[..^1], c => Assert.Null(c["choices"]![0]!["finish_reason"]));
        Assert.Null(chunks[^1]["usage"]);
        Assert.Equal(expected, SimulatorClient.JoinDeltas(events));
        Assert.Equal(expected.Split(' ').Length, chunks.Count - 2);
    }

    [Fact]
    public async Task Stream_IncludeUsage_EndsWithUsageChunkWithEmptyChoices()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var (_, full) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "count my tokens"));

        var events = await client.StreamAsync(SimulatorClient.Chat("m", "count my tokens",
            b => b["stream_options"] = new JsonObject { ["include_usage"] = true }));

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        var last = chunks[^1];
        Assert.Empty(last["choices"]!.AsArray());
        Assert.Equal(full["usage"]!.ToJsonString(), last["usage"]!.ToJsonString());
        Assert.All(chunks[..^1], c => Assert.True(c.AsObject().ContainsKey("usage") && c["usage"] is null));
        Assert.Equal("stop", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_MaxTokens_StopsAtLimitWithLength()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { MinAnswerTokens = 30, MaxAnswerTokens = 30 });
        using var client = SimulatorClient.For(server);

        var events = await client.StreamAsync(SimulatorClient.Chat("m", "x", b =>
        {
            b["max_tokens"] = 4;
            b["stream_options"] = new JsonObject { ["include_usage"] = true };
        }));

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal(4, SimulatorClient.JoinDeltas(events).Split(' ').Length);
        Assert.Equal("length", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(4, chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>());
    }
}
