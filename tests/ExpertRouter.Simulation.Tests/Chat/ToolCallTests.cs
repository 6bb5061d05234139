using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Chat;

public sealed class ToolCallTests
{
    private static JsonArray Tools() => JsonNode.Parse("""
        [
          {"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
            "properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"days":{"type":"integer"},
              "detailed":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},
              "where":{"type":"object","properties":{"lat":{"type":"number"}},"required":["lat"]},"optional":{"type":"string"}},
            "required":["city","unit","days","detailed","tags","where"]}}},
          {"type":"function","function":{"name":"send_email","parameters":{"type":"object","properties":{"to":{"type":"string"}},"required":["to"]}}}
        ]
        """)!.AsArray();

    [Fact]
    public async Task Post_WithTools_CallsFirstToolWithRequiredArguments()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "weather in Paris?", b => b["tools"] = Tools()));

        var choice = json["choices"]![0]!;
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["content"]);
        var call = choice["message"]!["tool_calls"]![0]!;
        Assert.StartsWith("call_", call["id"]!.GetValue<string>());
        Assert.Equal("function", call["type"]!.GetValue<string>());
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        var arguments = JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!.AsObject();
        Assert.Equal(["city", "unit", "days", "detailed", "tags", "where"], arguments.Select(p => p.Key).ToArray());
        Assert.Equal(JsonValueKind.String, arguments["city"]!.GetValueKind());
        Assert.Contains(arguments["unit"]!.GetValue<string>(), new[] { "celsius", "fahrenheit" });
        Assert.Equal(JsonValueKind.Number, arguments["days"]!.GetValueKind());
        Assert.Contains(arguments["detailed"]!.GetValueKind(), new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.Equal(JsonValueKind.String, arguments["tags"]![0]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, arguments["where"]!["lat"]!.GetValueKind());
    }

    [Fact]
    public async Task Post_ToolChoiceNamesTool_CallsThatTool()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "mail bob", b =>
        {
            b["tools"] = Tools();
            b["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "send_email" } };
        }));

        var call = json["choices"]![0]!["message"]!["tool_calls"]![0]!;
        Assert.Equal("send_email", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal(["to"], JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task Post_ToolChoiceNone_AnswersWithText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "just talk", b =>
        {
            b["tools"] = Tools();
            b["tool_choice"] = "none";
        }));

        Assert.Equal("stop", json["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["choices"]![0]!["message"]!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Stream_WithTools_SendsToolCallDeltasThatJoinToArguments()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var (_, full) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "weather?", b => b["tools"] = Tools()));

        var events = await client.StreamAsync(SimulatorClient.Chat("m", "weather?", b => b["tools"] = Tools()));

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        var opening = chunks[0]["choices"]![0]!["delta"]!["tool_calls"]![0]!;
        Assert.Equal("get_weather", opening["function"]!["name"]!.GetValue<string>());
        Assert.StartsWith("call_", opening["id"]!.GetValue<string>());
        Assert.Equal("tool_calls", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var expected = full["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>();
        Assert.Equal(expected, SimulatorClient.JoinDeltas(events, toolArguments: true));
    }

    [Fact]
    public async Task Post_ToolChoiceUnknownTool_Returns400()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "x", b =>
        {
            b["tools"] = Tools();
            b["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "missing" } };
        }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("tool_choice", json["error"]!["param"]!.GetValue<string>());
    }
}
