using System.Net;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Chat;

public sealed class ChoicesTests
{
    [Fact]
    public async Task Post_NThree_ReturnsThreeDistinctChoicesAndSumsUsage()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Seed = 3 });
        using var client = SimulatorClient.For(server);

        var (_, single) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "tell me three things"));
        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "tell me three things", b => b["n"] = 3));

        var choices = json["choices"]!.AsArray();
        Assert.Equal([0, 1, 2], choices.Select(c => c!["index"]!.GetValue<int>()).ToArray());
        var texts = choices.Select(c => c!["message"]!["content"]!.GetValue<string>()).ToArray();
        Assert.Equal(3, texts.Distinct().Count());
        Assert.Equal(single["choices"]![0]!["message"]!["content"]!.GetValue<string>(), texts[0]);
        var usage = json["usage"]!;
        var completionTokens = usage["completion_tokens"]!.GetValue<int>();
        Assert.True(completionTokens > single["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + completionTokens, usage["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stream_NTwo_StreamsEachChoiceToItsFinish()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, whole) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "two please", b => b["n"] = 2));
        var events = await client.StreamAsync(SimulatorClient.Chat("m", "two please", b => b["n"] = 2));

        for (var index = 0; index < 2; index++)
        {
            var mine = events.Where(e => e != "[DONE]")
                .Select(e => JsonNode.Parse(e)!["choices"]!.AsArray())
                .Where(c => c.Count > 0 && c[0]!["index"]!.GetValue<int>() == index)
                .ToList();
            var text = string.Concat(mine.Select(c => c[0]!["delta"]!["content"]?.GetValue<string>()));
            Assert.Equal(whole["choices"]![index]!["message"]!["content"]!.GetValue<string>(), text);
            Assert.Equal("stop", mine[^1][0]!["finish_reason"]!.GetValue<string>());
        }

        Assert.Equal("[DONE]", events[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(129)]
    public async Task Post_NOutOfRange_Returns400NamingN(int n)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "x", b => b["n"] = n));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("n", json["error"]!["param"]!.GetValue<string>());
    }
}
