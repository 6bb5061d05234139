using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>The official OpenAI .NET SDK pointed at the gateway, as a user would.</summary>
public sealed class OpenAISdkTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayBuilder.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private ChatClient Client(string model) =>
        new(model, new ApiKeyCredential(GatewayHost.DemoKey), new OpenAIClientOptions { Endpoint = new Uri(_gateway.Address, "/v1") });

    [Fact]
    public async Task Sdk_PlainCall_ReturnsCompletion()
    {
        ChatCompletion completion = await Client("auto").CompleteChatAsync([new UserChatMessage("What is the capital of France?")]);

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.TotalTokenCount > 0);
    }

    [Fact]
    public async Task Sdk_StreamedCall_AssemblesText()
    {
        var text = new System.Text.StringBuilder();
        var updates = 0;
        await foreach (var update in Client("gpt-4o-mini-2024-07-18").CompleteChatStreamingAsync([new UserChatMessage("Write a haiku")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.True(updates > 2);
        Assert.False(string.IsNullOrWhiteSpace(text.ToString()));
    }

    [Fact]
    public async Task Sdk_ToolCall_ReturnsFunctionCallWithRequiredArguments()
    {
        var tool = ChatTool.CreateFunctionTool(
            "get_weather",
            "Current weather for a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };

        ChatCompletion completion = await Client("auto").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        using var arguments = System.Text.Json.JsonDocument.Parse(call.FunctionArguments);
        Assert.True(arguments.RootElement.TryGetProperty("city", out _));
    }

    [Fact]
    public async Task Sdk_UnknownModel_SurfacesOpenAIError()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client("no-such-model").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-model", error.Message);
    }
}
