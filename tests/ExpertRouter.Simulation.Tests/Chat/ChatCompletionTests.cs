using System.Net;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Simulation.Tests.Chat;

public sealed class ChatCompletionTests
{
    [Fact]
    public async Task Post_NonStreaming_ReturnsOpenAiShapedCompletionWithUsage()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        const string prompt = "What is the capital of France? Answer briefly.";

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("gpt-sim", prompt));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("chatcmpl-", json["id"]!.GetValue<string>());
        Assert.Equal("chat.completion", json["object"]!.GetValue<string>());
        Assert.Equal("gpt-sim", json["model"]!.GetValue<string>());
        Assert.True(json["created"]!.GetValue<long>() > 1_600_000_000);
        var choice = json["choices"]![0]!;
        Assert.Equal(0, choice["index"]!.GetValue<int>());
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        var content = choice["message"]!["content"]!.GetValue<string>();
        var words = content.Split(' ');
        Assert.InRange(words.Length, 8, 48);
        var usage = json["usage"]!;
        Assert.Equal(TokenEstimate.FromText(prompt), usage["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(words.Length, usage["completion_tokens"]!.GetValue<int>());
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + words.Length, usage["total_tokens"]!.GetValue<int>());
        Assert.Equal(1, server.RequestCount("gpt-sim"));
    }

    [Fact]
    public async Task Post_SameModelAndMessages_ReturnsSameTextAcrossServers()
    {
        await using var first = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Seed = 7 });
        await using var second = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Seed = 7 });
        using var firstClient = SimulatorClient.For(first);
        using var secondClient = SimulatorClient.For(second);

        var a = await ContentAsync(firstClient, "model-a", "hello");
        var b = await ContentAsync(secondClient, "model-a", "hello");
        var otherModel = await ContentAsync(firstClient, "model-b", "hello");
        var otherPrompt = await ContentAsync(firstClient, "model-a", "hello there");

        Assert.Equal(a, b);
        Assert.NotEqual(a, otherModel);
        Assert.NotEqual(a, otherPrompt);
    }

    [Fact]
    public async Task Post_DifferentSeed_ChangesText()
    {
        await using var first = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Seed = 1 });
        await using var second = await SimulatedExpertServer.StartAsync(new SimulatorOptions { Seed = 2 });
        using var firstClient = SimulatorClient.For(first);
        using var secondClient = SimulatorClient.For(second);

        Assert.NotEqual(await ContentAsync(firstClient, "m", "same prompt"), await ContentAsync(secondClient, "m", "same prompt"));
    }

    [Fact]
    public async Task Post_MaxTokensBelowAnswer_CutsWithFinishReasonLength()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { MinAnswerTokens = 20, MaxAnswerTokens = 20 });
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "long please", b => b["max_tokens"] = 5));
        var (_, modern) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "long please", b => b["max_completion_tokens"] = 3));

        Assert.Equal("length", json["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(5, json["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(5, json["choices"]![0]!["message"]!["content"]!.GetValue<string>().Split(' ').Length);
        Assert.Equal(3, modern["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Post_JsonObjectFormat_ContentParsesAsJsonObject()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "reply in json",
            b => b["response_format"] = new JsonObject { ["type"] = "json_object" }));

        var content = JsonNode.Parse(json["choices"]![0]!["message"]!["content"]!.GetValue<string>())!;
        Assert.IsType<JsonObject>(content);
        Assert.False(string.IsNullOrWhiteSpace(content["answer"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Post_JsonSchemaFormat_ContentHasRequiredProperties()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var schema = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"}},"required":["city","population"]}""");

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "a city",
            b => b["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "c", ["schema"] = schema } }));

        var content = JsonNode.Parse(json["choices"]![0]!["message"]!["content"]!.GetValue<string>())!;
        Assert.Equal(System.Text.Json.JsonValueKind.String, content["city"]!.GetValueKind());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, content["population"]!.GetValueKind());
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("""{"model":"m","messages":[]}""", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}""", "tool_choice")]
    public async Task Post_InvalidRequest_Returns400WithErrorEnvelope(string body, string param)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var response = await client.PostRawAsync("chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Post_MalformedJson_Returns400InvalidJson()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var response = await client.PostRawAsync("chat/completions", "{\"model\": ");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_json", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ContentParts_AreReadAsText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);
        var parts = SimulatorClient.Chat("m", "", b => b["messages"]![0]!["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "hello" }));

        var (_, fromParts) = await client.PostJsonAsync("chat/completions", parts);
        var (_, fromString) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hello"));

        Assert.Equal(fromString["choices"]![0]!["message"]!["content"]!.GetValue<string>(), fromParts["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetModels_ListsConfiguredModels()
    {
        var options = new SimulatorOptions { Models = new Dictionary<string, SimulatedModelOptions> { ["small"] = new(), ["large"] = new() { TimeToFirstTokenMs = 1 } } };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var json = JsonNode.Parse(await client.GetStringAsync("models"))!;

        Assert.Equal("list", json["object"]!.GetValue<string>());
        Assert.Equal(["large", "small"], json["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToArray());
        Assert.All(json["data"]!.AsArray(), m => Assert.Equal("model", m!["object"]!.GetValue<string>()));
    }

    internal static async Task<string> ContentAsync(HttpClient client, string model, string prompt)
    {
        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat(model, prompt));
        return json["choices"]![0]!["message"]!["content"]!.GetValue<string>();
    }
}
