using System.IO.Compression;
using System.Text.Json.Nodes;
using ExpertRouter.Simulation.Tests.Chat;

namespace ExpertRouter.Simulation.Tests.Replay;

public sealed class ReplayTests : IDisposable
{
    private const string Prompt = "What is 6 times 7? Answer with a JSON object.";
    private const string Recorded = "{\"reasoning\": \"6*7=42\", \"answer\": \"42\"} ✓ done";
    private readonly string directory = Directory.CreateTempSubdirectory("er-replay-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string WriteFixture()
    {
        var path = Path.Combine(directory, "tiny.jsonl.gz");
        var lines = new[]
        {
            new JsonObject
            {
                ["id"] = "1", ["benchmark"] = "zeroeval", ["task"] = "gsm8k", ["split"] = "train", ["prompt"] = Prompt, ["reference"] = "42",
                ["outcomes"] = new JsonObject
                {
                    ["model-a"] = new JsonObject { ["score"] = 1.0, ["output_tokens_est"] = 17, ["response"] = Recorded },
                    ["model-b"] = new JsonObject { ["score"] = 0.0, ["output_tokens_est"] = 3, ["response"] = "43" },
                },
            },
            new JsonObject { ["id"] = "2", ["prompt"] = "other", ["outcomes"] = new JsonObject { ["model-c"] = new JsonObject { ["score"] = 0.5, ["output_tokens_est"] = 1, ["response"] = "x" } } },
        };
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip);
        foreach (var line in lines)
        {
            writer.WriteLine(line.ToJsonString());
        }

        return path;
    }

    [Fact]
    public async Task Post_KnownPromptAndModel_AnswersRecordedResponseWithRecordedTokens()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { ReplayDataset = WriteFixture() });
        using var client = SimulatorClient.For(server);

        var (_, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("model-a", Prompt, b =>
            b["messages"]!.AsArray().Insert(0, new JsonObject { ["role"] = "system", ["content"] = "be brief" })));
        var (_, other) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("model-b", Prompt));

        Assert.Equal(Recorded, json["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(17, json["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal("43", other["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(3, other["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReplayJudge_ScoresAnAnswerWithItsRecordedScore_EvenWhenCut()
    {
        var options = new SimulatorOptions
        {
            ReplayDataset = WriteFixture(),
            Models = new Dictionary<string, SimulatedModelOptions> { ["judge"] = new() { ReplayJudge = true } },
        };
        await using var server = await SimulatedExpertServer.StartAsync(options);
        using var client = SimulatorClient.For(server);

        var right = await ChatCompletionTests.ContentAsync(client, "judge", $"Request:\n{Prompt}\n\nAnswer to grade:\n{Recorded}\n\nScore (0 to 1):");
        var cut = await ChatCompletionTests.ContentAsync(client, "judge", $"Request:\n{Prompt}\n\nAnswer to grade:\n{Recorded[..10]}\n\nScore (0 to 1):");
        var wrong = await ChatCompletionTests.ContentAsync(client, "judge", $"Request:\n{Prompt}\n\nReference answer:\n42\n\nAnswer to grade:\n43\n\nScore (0 to 1):");
        var unknown = await ChatCompletionTests.ContentAsync(client, "judge", $"Request:\n{Prompt}\n\nAnswer to grade:\nsomething else\n\nScore (0 to 1):");

        Assert.Equal(("1", "1", "0", "unknown"), (right, cut, wrong, unknown));
    }

    [Fact]
    public async Task Stream_KnownPrompt_StreamsRecordedResponse()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { ReplayDataset = WriteFixture() });
        using var client = SimulatorClient.For(server);

        var events = await client.StreamAsync(SimulatorClient.Chat("model-a", Prompt));

        Assert.Equal(Recorded, SimulatorClient.JoinDeltas(events));
        Assert.True(events.Count > 4);
    }

    [Fact]
    public async Task Post_UnknownPromptOrModel_FallsBackToGeneratedText()
    {
        var replayPath = WriteFixture();
        await using var replaying = await SimulatedExpertServer.StartAsync(new SimulatorOptions { ReplayDataset = replayPath });
        await using var plain = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var replayClient = SimulatorClient.For(replaying);
        using var plainClient = SimulatorClient.For(plain);

        Assert.Equal(await ChatCompletionTests.ContentAsync(plainClient, "model-z", Prompt), await ChatCompletionTests.ContentAsync(replayClient, "model-z", Prompt));
        Assert.Equal(await ChatCompletionTests.ContentAsync(plainClient, "model-a", "unknown"), await ChatCompletionTests.ContentAsync(replayClient, "model-a", "unknown"));
    }

    [Fact]
    public async Task GetModels_IncludesReplayModels()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { ReplayDataset = WriteFixture() });
        using var client = SimulatorClient.For(server);

        var json = JsonNode.Parse(await client.GetStringAsync("models"))!;

        Assert.Equal(["model-a", "model-b", "model-c"], json["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToArray());
    }
}
