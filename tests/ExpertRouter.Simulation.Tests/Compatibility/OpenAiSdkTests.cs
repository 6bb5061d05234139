using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

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
}
