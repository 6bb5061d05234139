using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Responses;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>
/// The translators behind a route, over the simulated expert, driven by real clients: the OpenAI .NET SDK for the
/// Responses API, raw HTTP in Anthropic's shapes for Messages. Agent loops end, failures arrive as events.
/// </summary>
#pragma warning disable OPENAI001 // The SDK marks its Responses client experimental; its parsing is what is tested.
public sealed class ProtocolsOverSimulatorTests : IAsyncLifetime
{
    private ProtocolTestHost host = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        host = await ProtocolTestHost.StartAsync();
        http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
    }

    private ResponsesClient Responses() =>
        new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = new Uri(host.Address, "v1") }).GetResponsesClient();

    [Fact]
    public async Task ResponsesClient_CreateStreamAndContinue_ParseAndKeepState()
    {
        var responses = Responses();

        ResponseResult first = await responses.CreateResponseAsync("auto", "My name is Ada.");
        var streamed = new StringBuilder();
        ResponseResult? completed = null;
        await foreach (var update in await responses.CreateResponseStreamingAsync("auto", "My name is Ada."))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                streamed.Append(delta.Delta);
            }
            else if (update is StreamingResponseCompletedUpdate done)
            {
                completed = done.Response;
            }
        }

        ResponseResult second = await responses.CreateResponseAsync("auto", "What is my name?", first.Id);

        Assert.StartsWith("resp_", first.Id);
        Assert.Equal(ResponseStatus.Completed, first.Status);
        Assert.False(string.IsNullOrEmpty(first.GetOutputText()));
        Assert.Equal(first.GetOutputText(), streamed.ToString());
        Assert.Equal(first.Usage.OutputTokenCount, completed!.Usage.OutputTokenCount);
        Assert.Equal(first.Id, second.PreviousResponseId);
        Assert.Equal(3, host.Simulator.RequestCount("auto"));
    }

    [Fact]
    public async Task ResponsesClient_FunctionToolRoundTrip_EndsWithText()
    {
        var responses = Responses();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), false, "Weather now");
        var options = new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("Weather in Paris?")]) { Tools = { tool }, Instructions = "Use the tools." };

        ResponseResult first = await responses.CreateResponseAsync(options);
        var call = Assert.IsType<FunctionCallResponseItem>(first.OutputItems.Single());
        var followUp = new CreateResponseOptions("auto", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18C and sunny")])
        {
            Tools = { tool },
            PreviousResponseId = first.Id,
        };
        ResponseResult second = await responses.CreateResponseAsync(followUp);

        Assert.Equal("get_weather", call.FunctionName);
        Assert.NotNull(JsonNode.Parse(call.FunctionArguments.ToString())!["city"]);
        Assert.False(string.IsNullOrEmpty(second.GetOutputText()));
        Assert.DoesNotContain(second.OutputItems, item => item is FunctionCallResponseItem);
    }

    [Fact]
    public async Task Responses_ExpertCutMidStream_EndsWithResponseFailed()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/responses")
        {
            Content = new StringContent("""{"model":"auto","input":"hi","stream":true}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-simulator-fault", "midstream-cut;after=3");

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("event: response.output_text.delta", text);
        Assert.Contains("event: error", text);
        Assert.EndsWith("}\n\n", text);
        Assert.Contains("event: response.failed", text[text.LastIndexOf("event:", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("response.completed", text);
    }

    [Fact]
    public async Task Responses_ExpertAnswers429_IsOpenAIsEnvelope()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/responses") { Content = new StringContent("""{"model":"auto","input":"hi"}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-simulator-fault", "status;code=429");

        var response = await http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", json["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Messages_ToolUseRoundTrip_EndsWithText()
    {
        const string Tools = """[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";

        var first = await PostAsync("v1/messages", $$"""{"model":"auto","max_tokens":200,"tools":{{Tools}},"messages":[{"role":"user","content":"Weather in Paris?"}]}""");
        var toolUse = first["content"]!.AsArray().Single(block => block!["type"]!.GetValue<string>() == "tool_use")!;
        var history = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" },
            new JsonObject { ["role"] = "assistant", ["content"] = first["content"]!.DeepClone() },
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = toolUse["id"]!.GetValue<string>(), ["content"] = "18C" }),
            });
        var second = await PostAsync("v1/messages", $$"""{"model":"auto","max_tokens":200,"tools":{{Tools}},"messages":{{history.ToJsonString()}}}""");

        Assert.Equal("tool_use", first["stop_reason"]!.GetValue<string>());
        Assert.Equal("get_weather", toolUse["name"]!.GetValue<string>());
        Assert.NotNull(toolUse["input"]!["city"]);
        Assert.Equal("end_turn", second["stop_reason"]!.GetValue<string>());
        Assert.Equal("text", second["content"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Messages_Streamed_IsAnthropicsEventSequenceWithTheWholeText()
    {
        var whole = await PostAsync("v1/messages", """{"model":"auto","max_tokens":200,"messages":[{"role":"user","content":"hello"}]}""");
        var response = await http.PostAsync("v1/messages", new StringContent("""{"model":"auto","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        var names = text.Split('\n').Where(line => line.StartsWith("event: ", StringComparison.Ordinal)).Select(line => line[7..]).ToArray();
        var deltas = text.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal))
            .Select(line => JsonNode.Parse(line[6..])!).Where(data => data["type"]!.GetValue<string>() == "content_block_delta")
            .Select(data => data["delta"]!["text"]!.GetValue<string>());
        Assert.Equal(["message_start", "ping", "content_block_start"], names[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.Equal(whole["content"]![0]!["text"]!.GetValue<string>(), string.Concat(deltas));
    }

    [Fact]
    public async Task Messages_ExpertOverloaded_IsAnthropicsErrorShape()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = new StringContent("""{"model":"auto","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-simulator-fault", "status;code=503");

        var response = await http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"Simulated fault: status 503."}}""", json.ToJsonString());
    }

    private async Task<JsonNode> PostAsync(string path, string body)
    {
        var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
#pragma warning restore OPENAI001
