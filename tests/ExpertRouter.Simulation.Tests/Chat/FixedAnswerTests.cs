using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests.Chat;

public sealed class FixedAnswerTests
{
    [Fact]
    public async Task Post_ModelWithFixedAnswer_AnswersExactlyThat_OthersStillGenerate()
    {
        var options = new SimulatorOptions { Models = new Dictionary<string, SimulatedModelOptions> { ["stubborn"] = new() { FixedAnswer = "{\"answer\": \"41\"}" } } };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var (_, stubborn) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("stubborn", "What is 39 + 3?"));
        var streamed = SimulatorClient.JoinDeltas(await client.StreamAsync(SimulatorClient.Chat("stubborn", "Anything else?")));
        var (_, other) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("other", "What is 39 + 3?"));

        Assert.Equal("{\"answer\": \"41\"}", stubborn["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("{\"answer\": \"41\"}", streamed);
        Assert.NotEqual("{\"answer\": \"41\"}", other["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }
}
