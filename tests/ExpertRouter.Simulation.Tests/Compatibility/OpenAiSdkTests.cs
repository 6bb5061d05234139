using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Responses;

namespace ExpertRouter.Simulation.Tests.Compatibility;

/// <summary>The official OpenAI .NET SDK, pointed at the simulator, must parse every answer shape it produces.</summary>
public sealed class OpenAiSdkTests
{
    private static OpenAIClientOptions Endpoint(SimulatedExpertServer server) => new() { Endpoint = server.BaseAddress };

    [Fact]
    public async Task ChatClient_CompleteAndStream_ParseContentAndUsage()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        var chat = new ChatClient("gpt-sim", new ApiKeyCredential("sk-test"), Endpoint(server));

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello sdk")]);
        var streamed = new System.Text.StringBuilder();
        ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hello sdk")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            streamedUsage ??= update.Usage;
        }

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
        Assert.Equal(completion.Usage.OutputTokenCount, streamedUsage!.OutputTokenCount);
        Assert.Equal(2, server.RequestCount("gpt-sim"));
    }

    [Fact]
    public async Task ChatClient_WithTool_ParsesToolCall()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        var chat = new ChatClient("gpt-sim", new ApiKeyCredential("sk-test"), Endpoint(server));
        var tool = ChatTool.CreateFunctionTool("lookup", "Looks a word up.", BinaryData.FromString("""{"type":"object","properties":{"word":{"type":"string"}},"required":["word"]}"""));

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("define routing")], new ChatCompletionOptions { Tools = { tool } });

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal("lookup", completion.ToolCalls[0].FunctionName);
        Assert.Contains("\"word\"", completion.ToolCalls[0].FunctionArguments.ToString());
    }

    [Fact]
    public async Task EmbeddingClient_ParsesVectors()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { EmbeddingDimensions = 16 });
        var embeddings = new EmbeddingClient("embed-sim", new ApiKeyCredential("sk-test"), Endpoint(server));

        OpenAIEmbedding embedding = await embeddings.GenerateEmbeddingAsync("some text");

        var vector = embedding.ToFloats().ToArray();
        Assert.Equal(16, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public async Task ResponsesClient_CreateAndStream_ParseOutputText()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
#pragma warning disable OPENAI001 // The SDK marks its Responses client experimental; the wire format is what is tested.
        var responses = new OpenAIClient(new ApiKeyCredential("sk-test"), Endpoint(server)).GetResponsesClient();

        ResponseResult response = await responses.CreateResponseAsync("gpt-sim", "hello sdk");
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in await responses.CreateResponseStreamingAsync("gpt-sim", "hello sdk"))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                streamed.Append(delta.Delta);
            }
        }
#pragma warning restore OPENAI001

        Assert.False(string.IsNullOrEmpty(response.GetOutputText()));
        Assert.Equal(response.GetOutputText(), streamed.ToString());
    }
}
