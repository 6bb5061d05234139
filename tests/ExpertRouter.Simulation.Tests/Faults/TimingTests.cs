using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Simulation.Tests.Faults;

/// <summary>
/// Delays run on an injected <see cref="FakeTimeProvider"/>: a response must not arrive until the fake clock has been
/// moved far enough, which proves the wait without timing anything.
/// </summary>
public sealed class TimingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static Task<SimulatedExpertServer> StartAsync(SimulatorOptions options, FakeTimeProvider time) =>
        SimulatedExpertServer.StartAsync(options, "http://127.0.0.1:0", time, configureLogging: null);

    /// <summary>Advances the clock in steps until <paramref name="pending"/> finishes; returns how far it moved.</summary>
    private static async Task<TimeSpan> AdvanceUntilDoneAsync(Task pending, FakeTimeProvider time, TimeSpan step)
    {
        var moved = TimeSpan.Zero;
        for (var i = 0; i < 2000 && !pending.IsCompleted; i++)
        {
            await Task.WhenAny(pending, Task.Delay(5));
            if (!pending.IsCompleted)
            {
                time.Advance(step);
                moved += step;
            }
        }

        await pending;
        return moved;
    }

    [Fact]
    public async Task TimeToFirstToken_HoldsTheResponseUntilTheClockPassesIt()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await StartAsync(new SimulatorOptions { TimeToFirstTokenMs = 60_000 }, time);
        using var client = SimulatorClient.For(server);

        var pending = client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"));
        await Task.WhenAny(pending, Task.Delay(200));
        Assert.False(pending.IsCompleted);

        var moved = await AdvanceUntilDoneAsync(pending, time, TimeSpan.FromSeconds(10));
        Assert.True(moved >= TimeSpan.FromSeconds(60), $"moved {moved}");
        var (response, json) = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Like OpenAI's, "created" is when the request was accepted, not when the first token came.
        Assert.Equal(Start.ToUnixTimeSeconds(), json["created"]!.GetValue<long>());
    }

    [Fact]
    public async Task PerModelTtft_OverridesTheDefault()
    {
        var time = new FakeTimeProvider(Start);
        var options = new SimulatorOptions
        {
            TimeToFirstTokenMs = 60_000,
            Models = new Dictionary<string, SimulatedModelOptions> { ["fast"] = new() { TimeToFirstTokenMs = 0 } },
        };
        await using var server = await StartAsync(options, time);
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("fast", "hi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Start.ToUnixTimeSeconds(), json["created"]!.GetValue<long>());
    }

    [Fact]
    public async Task PerTokenDelay_PacesStreamedTokens()
    {
        var time = new FakeTimeProvider(Start);
        var options = new SimulatorOptions { PerTokenDelayMs = 1000, MinAnswerTokens = 5, MaxAnswerTokens = 5 };
        await using var server = await StartAsync(options, time);
        using var client = SimulatorClient.For(server);

        var pending = client.StreamAsync(SimulatorClient.Chat("m", "hi"));
        var moved = await AdvanceUntilDoneAsync(pending, time, TimeSpan.FromMilliseconds(500));

        // Five tokens: the first comes at once, the other four one second apart.
        Assert.True(moved >= TimeSpan.FromSeconds(4), $"moved {moved}");
        Assert.Equal(5, SimulatorClient.JoinDeltas(await pending).Split(' ').Length);
    }

    [Fact]
    public async Task DelayFault_HoldsTheFirstByte()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await StartAsync(new SimulatorOptions(), time);
        using var client = SimulatorClient.For(server);

        var pending = client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"), "delay;ms=30000");
        await Task.WhenAny(pending, Task.Delay(200));
        Assert.False(pending.IsCompleted);

        var moved = await AdvanceUntilDoneAsync(pending, time, TimeSpan.FromSeconds(5));
        Assert.True(moved >= TimeSpan.FromSeconds(30), $"moved {moved}");
        Assert.Equal(HttpStatusCode.OK, (await pending).Response.StatusCode);
    }

    [Fact]
    public async Task SlowStreamFault_OverridesPerTokenDelay()
    {
        var time = new FakeTimeProvider(Start);
        var options = new SimulatorOptions
        {
            MinAnswerTokens = 3,
            MaxAnswerTokens = 3,
            Faults = [new FaultRule { Kind = "slow-stream", DelayMs = 20_000 }],
        };
        await using var server = await StartAsync(options, time);
        using var client = SimulatorClient.For(server);

        var pending = client.StreamAsync(SimulatorClient.Chat("m", "hi"));
        var moved = await AdvanceUntilDoneAsync(pending, time, TimeSpan.FromSeconds(5));

        Assert.True(moved >= TimeSpan.FromSeconds(40), $"moved {moved}");
        Assert.Equal("[DONE]", (await pending)[^1]);
    }

    [Theory]
    [InlineData("chat/completions", "data: {")]
    [InlineData("responses", "event: response.output_text.delta")]
    [InlineData("messages", "event: content_block_delta")]
    public async Task PerTokenDelay_FirstPieceComesAtOnce_TheNextWaitsForTheClock(string path, string pieceLine)
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await StartAsync(new SimulatorOptions { PerTokenDelayMs = 1000, MinAnswerTokens = 3, MaxAnswerTokens = 3 }, time);
        using var client = SimulatorClient.For(server);
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["model"] = "m",
            ["max_tokens"] = 50,
            ["stream"] = true,
            ["input"] = "hi",
            ["messages"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["role"] = "user", ["content"] = "hi" }),
        };
        if (path == "responses")
        {
            body.Remove("messages");
        }

        var response = await client.SendAsync(SimulatorClient.Post(path, body), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var pieces = 0;
        var firstPiece = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                // The chat stream's role event comes first; its content pieces are the data events after it.
                if (line.StartsWith(pieceLine, StringComparison.Ordinal) && ++pieces == (path == "chat/completions" ? 2 : 1))
                {
                    return;
                }
            }
        });

        await firstPiece.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith(pieceLine, StringComparison.Ordinal))
            {
            }
        });
        await Task.WhenAny(rest, Task.Delay(200));
        Assert.False(rest.IsCompleted, "the second piece waits for the per-token delay");
        time.Advance(TimeSpan.FromSeconds(1));
        await rest.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
