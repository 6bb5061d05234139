using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Messages;

/// <summary>POST /v1/messages served natively in Anthropic's shapes, answering what chat answers for the same turn.</summary>
public sealed class MessagesApiTests
{
    private static JsonObject Request(string text, Action<JsonObject>? customise = null)
    {
        var body = new JsonObject
        {
            ["model"] = "m",
            ["max_tokens"] = 256,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
        };
        customise?.Invoke(body);
        return body;
    }

    private static JsonArray Tools() => JsonNode.Parse("""
        [{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]
        """)!.AsArray();

    [Fact]
    public async Task Post_Text_AnswersMessageWithChatsTextAndUsage()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("messages", Request("hello claude"));
        var (_, chat) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hello claude"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("msg_", json["id"]!.GetValue<string>());
        Assert.Equal("message", json["type"]!.GetValue<string>());
        Assert.Equal("assistant", json["role"]!.GetValue<string>());
        Assert.Equal("end_turn", json["stop_reason"]!.GetValue<string>());
        Assert.Equal("text", json["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(chat["choices"]![0]!["message"]!["content"]!.GetValue<string>(), json["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(chat["usage"]!["prompt_tokens"]!.GetValue<int>(), json["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(chat["usage"]!["completion_tokens"]!.GetValue<int>(), json["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stream_Text_SendsAnthropicEventSequence()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, whole) = await client.PostJsonAsync("messages", Request("stream me"));
        var events = await client.StreamNamedAsync("messages", Request("stream me"));

        var names = events.Select(e => e.Event).ToArray();
        Assert.Equal(names, events.Select(e => e.Data["type"]!.GetValue<string>()).ToArray());
        Assert.Equal(["message_start", "content_block_start", "ping"], names[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.All(names[3..^3], name => Assert.Equal("content_block_delta", name));
        var text = string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => e.Data["delta"]!["text"]!.GetValue<string>()));
        Assert.Equal(whole["content"]![0]!["text"]!.GetValue<string>(), text);
        var delta = events[^2].Data;
        Assert.Equal("end_turn", delta["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal(whole["usage"]!["output_tokens"]!.GetValue<int>(), delta["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Post_WithTools_AnswersToolUseBlock()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("messages", Request("Weather in Paris?", b => b["tools"] = Tools()));

        Assert.Equal("tool_use", json["stop_reason"]!.GetValue<string>());
        var block = json["content"]![0]!;
        Assert.Equal("tool_use", block["type"]!.GetValue<string>());
        Assert.StartsWith("toolu_", block["id"]!.GetValue<string>());
        Assert.Equal("get_weather", block["name"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, block["input"]!["city"]!.GetValueKind());
    }

    [Fact]
    public async Task Stream_WithTools_SendsInputJsonDeltasThatJoinToTheInput()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, whole) = await client.PostJsonAsync("messages", Request("Weather in Paris?", b => b["tools"] = Tools()));
        var events = await client.StreamNamedAsync("messages", Request("Weather in Paris?", b => b["tools"] = Tools()));

        Assert.Equal("tool_use", events[1].Data["content_block"]!["type"]!.GetValue<string>());
        var joined = string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => e.Data["delta"]!["partial_json"]!.GetValue<string>()));
        Assert.Equal(whole["content"]![0]!["input"]!.ToJsonString(), JsonNode.Parse(joined)!.ToJsonString());
        Assert.Equal("tool_use", events[^2].Data["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ToolResultTurn_AnswersWithTextEvenBesideUserText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var messages = JsonNode.Parse("""
            [{"role":"user","content":"Weather in Paris?"},
             {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18 degrees"},{"type":"text","text":"thanks"}]}]
            """)!;

        var (_, json) = await client.PostJsonAsync("messages", Request("unused", b => { b["messages"] = messages; b["tools"] = Tools(); }));

        Assert.Equal("end_turn", json["stop_reason"]!.GetValue<string>());
        Assert.Equal("text", json["content"]![0]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"m","max_tokens":10,"messages":[]}""", "messages")]
    [InlineData("""{"model":"m","max_tokens":10,"messages":[{"role":"system","content":"hi"}]}""", "messages.0.role")]
    [InlineData("""{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public async Task Post_MalformedRequest_Returns400InAnthropicShape(string body, string field)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var response = await client.PostRawAsync("messages", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.StartsWith(field + ":", json["error"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(529, "overloaded_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    public async Task Post_StatusFault_AnswersAnthropicErrorShape(int status, string type)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("messages", Request("hi"), $"status;code={status}");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal(type, json["error"]!["type"]!.GetValue<string>());
    }
}
