using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Responses;

/// <summary>POST /v1/responses served natively, answering what chat completions answer for the same turn.</summary>
public sealed class ResponsesApiTests
{
    private static JsonObject Request(string input, Action<JsonObject>? customise = null)
    {
        var body = new JsonObject { ["model"] = "m", ["input"] = input };
        customise?.Invoke(body);
        return body;
    }

    private static JsonArray Tools() => JsonNode.Parse("""
        [{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]
        """)!.AsArray();

    [Fact]
    public async Task Post_StringInput_AnswersCompletedResponseWithChatsText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("responses", Request("hello there", b => b["metadata"] = new JsonObject { ["k"] = "v" }));
        var (_, chat) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hello there"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("resp_", json["id"]!.GetValue<string>());
        Assert.Equal("response", json["object"]!.GetValue<string>());
        Assert.Equal("completed", json["status"]!.GetValue<string>());
        Assert.Equal("v", json["metadata"]!["k"]!.GetValue<string>());
        var message = json["output"]![0]!;
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.StartsWith("msg_", message["id"]!.GetValue<string>());
        Assert.Equal("output_text", message["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(chat["choices"]![0]!["message"]!["content"]!.GetValue<string>(), message["content"]![0]!["text"]!.GetValue<string>());
        var usage = json["usage"]!;
        Assert.Equal(chat["usage"]!["prompt_tokens"]!.GetValue<int>(), usage["input_tokens"]!.GetValue<int>());
        Assert.Equal(chat["usage"]!["completion_tokens"]!.GetValue<int>(), usage["output_tokens"]!.GetValue<int>());
        Assert.Equal(usage["input_tokens"]!.GetValue<int>() + usage["output_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());
        Assert.Equal(2, server.RequestCount("m"));
    }

    [Fact]
    public async Task Stream_Text_SendsTypedEventsInOrderWhoseDeltasJoinToTheText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, whole) = await client.PostJsonAsync("responses", Request("stream me"));
        var events = await client.StreamNamedAsync("responses", Request("stream me"));

        var types = events.Select(e => e.Data["type"]!.GetValue<string>()).ToArray();
        Assert.Equal(events.Select(e => e.Event).ToArray(), types);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"],
            types[..4]);
        Assert.Equal(
            ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            types[^4..]);
        Assert.All(types[4..^4], type => Assert.Equal("response.output_text.delta", type));
        Assert.Equal(Enumerable.Range(0, events.Count).ToArray(), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()).ToArray());
        var text = whole["output"]![0]!["content"]![0]!["text"]!.GetValue<string>();
        Assert.Equal(text, string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Data["delta"]!.GetValue<string>())));
        Assert.Equal(text, events[^4].Data["text"]!.GetValue<string>());
        Assert.Equal(whole["usage"]!.ToJsonString(), events[^1].Data["response"]!["usage"]!.ToJsonString());
    }

    [Fact]
    public async Task Post_WithFunctionTool_AnswersFunctionCallItem()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("responses", Request("Weather in Paris?", b => b["tools"] = Tools()));

        var call = json["output"]![0]!;
        Assert.Equal("function_call", call["type"]!.GetValue<string>());
        Assert.StartsWith("fc_", call["id"]!.GetValue<string>());
        Assert.StartsWith("call_", call["call_id"]!.GetValue<string>());
        Assert.Equal("get_weather", call["name"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, JsonNode.Parse(call["arguments"]!.GetValue<string>())!["city"]!.GetValueKind());
    }

    [Fact]
    public async Task Stream_WithFunctionTool_SendsArgumentDeltasThatJoinToTheArguments()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var events = await client.StreamNamedAsync("responses", Request("Weather in Paris?", b => b["tools"] = Tools()));

        var joined = string.Concat(events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Data["delta"]!.GetValue<string>()));
        var done = events.Single(e => e.Event == "response.function_call_arguments.done").Data;
        Assert.Equal(done["arguments"]!.GetValue<string>(), joined);
        Assert.Equal("get_weather", done["name"]!.GetValue<string>());
        Assert.Equal("function_call", events.Single(e => e.Event == "response.output_item.added").Data["item"]!["type"]!.GetValue<string>());
        Assert.Equal("response.completed", events[^1].Event);
    }

    [Fact]
    public async Task Post_FunctionCallOutputLast_AnswersWithText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var input = JsonNode.Parse("""
            [{"role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]},
             {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
             {"type":"function_call_output","call_id":"call_1","output":"18 degrees"}]
            """)!;

        var (_, json) = await client.PostJsonAsync("responses", new JsonObject { ["model"] = "m", ["input"] = input, ["tools"] = Tools() });

        Assert.Equal("message", json["output"]![0]!["type"]!.GetValue<string>());
        Assert.NotEmpty(json["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_MaxOutputTokensCutsTheAnswer_IsIncomplete()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { MinAnswerTokens = 20, MaxAnswerTokens = 20 });
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("responses", Request("long please", b => b["max_output_tokens"] = 5));

        Assert.Equal("incomplete", json["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", json["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Equal(5, json["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"model":"m"}""", "input")]
    [InlineData("""{"model":"m","input":[]}""", "input")]
    [InlineData("""{"input":"hi"}""", "model")]
    [InlineData("""{"model":"m","input":[{"type":"bogus"}]}""", "input[0].type")]
    [InlineData("""{"model":"m","input":[{"role":"tool","content":"x"}]}""", "input[0].role")]
    public async Task Post_MalformedRequest_Returns400OpenAIEnvelope(string body, string param)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var response = await client.PostRawAsync("responses", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.Equal(param, json["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_StatusFault_AnswersOpenAIEnvelope()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("responses", Request("hi"), "status;code=429");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", json["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_MidstreamCut_StopsAfterTheGivenEvents()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var body = Request("hi");
        body["stream"] = true;

        var response = await client.SendAsync(SimulatorClient.Post("responses", body, "midstream-cut;after=3"), HttpCompletionOption.ResponseHeadersRead);
        var failure = await Record.ExceptionAsync(() => SimulatorClient.ReadNamedEventsAsync(response));

        Assert.NotNull(failure);
    }
}
