using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Chat;

/// <summary>An agent loop against the simulator ends: the turn that carries a tool's result is answered with text.</summary>
public sealed class ToolRoundTripTests
{
    private static JsonArray Tools() => JsonNode.Parse("""
        [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]
        """)!.AsArray();

    /// <summary>The conversation after the model asked for the weather and the tool answered.</summary>
    private static JsonObject SecondTurn(string? toolChoice = null) => SimulatorClient.Chat("m", "Weather in Paris?", body =>
    {
        var messages = body["messages"]!.AsArray();
        messages.Add(JsonNode.Parse("""
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}
            """));
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "18 degrees and sunny" });
        body["tools"] = Tools();
        if (toolChoice is not null)
        {
            body["tool_choice"] = toolChoice;
        }
    });

    [Fact]
    public async Task Post_LastMessageIsToolResult_AnswersWithText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, first) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "Weather in Paris?", b => b["tools"] = Tools()));
        var (_, second) = await client.PostJsonAsync("chat/completions", SecondTurn());

        Assert.Equal("tool_calls", first["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var choice = second["choices"]![0]!;
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.False(string.IsNullOrEmpty(choice["message"]!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Stream_LastMessageIsToolResult_StreamsText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var events = await client.StreamAsync(SecondTurn());

        Assert.NotEmpty(SimulatorClient.JoinDeltas(events));
        Assert.Equal("stop", JsonNode.Parse(events[^2])!["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ToolResultWithToolChoiceRequired_CallsAToolAgain()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SecondTurn("required"));

        Assert.Equal("tool_calls", json["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }
}
