using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Invocation;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>Background chat calls go through the invoker and come back as values: text, usage, or why they failed.</summary>
public sealed class ChatCallerTests : IDisposable
{
    private static readonly ExpertDefinition Expert = new() { Id = "a", InputUsdPerMTok = 1, OutputUsdPerMTok = 2 };
    private static readonly ChatCallScope Scope = new("req-1", "tenant-a", TimeSpan.FromSeconds(30));

    private readonly InvokerHarness _harness = new([Expert]);
    private readonly ChatCaller _chat;

    public ChatCallerTests() => _chat = new ChatCaller(_harness.Invoker, TimeProvider.System);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Complete_ReadsTextAndUsage_AndAsksForNoStream()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body:
            """{"choices":[{"message":{"role":"assistant","content":"42"}}],"usage":{"prompt_tokens":7,"completion_tokens":3}}"""));

        var result = await _chat.CompleteAsync(Scope, Expert, Question(), CancellationToken.None);

        Assert.Equal((ExpertCallStatus.Ok, "42", 7, 3), (result.Status, result.Content, result.PromptTokens, result.CompletionTokens));
        Assert.Equal(Expert.CostUsd(7, 3), result.CostUsd, 12);
        var sent = JsonNode.Parse(Assert.Single(_harness.Forwarder.Sent).Body)!;
        Assert.False(sent["stream"]!.GetValue<bool>());
        Assert.Equal("a", sent["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_HandsOnEachDelta_WhateverTheChunking_AndKeepsTheEvents()
    {
        const string events = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"for\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"ty-two\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n";
        var chunks = Enumerable.Range(0, (events.Length + 6) / 7).Select(i => events.Substring(i * 7, Math.Min(7, events.Length - (i * 7)))).ToArray();
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: events, ContentType: "text/event-stream") { Chunks = chunks });
        var deltas = new List<string>();

        var result = await _chat.StreamAsync(Scope, Expert, Question(), (piece, _) => { deltas.Add(piece); return ValueTask.CompletedTask; }, CancellationToken.None);

        Assert.Equal(["for", "ty-two"], deltas);
        Assert.Equal((ExpertCallStatus.Ok, "forty-two", 5, 2, true), (result.Status, result.Content, result.PromptTokens, result.CompletionTokens, result.Streamed));
        Assert.Equal(events, System.Text.Encoding.UTF8.GetString(result.RawEvents!));
    }

    [Fact]
    public async Task Stream_EndingWithoutDone_Fails_AsStreamed()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}\n\n", ContentType: "text/event-stream"));

        var result = await _chat.StreamAsync(Scope, Expert, Question(), (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Equal(("failed(stream ended without [DONE])", true), (result.StatusText, result.Streamed));
    }

    [Theory]
    [InlineData(500, "failed(HTTP 500)")]
    [InlineData(429, "failed(HTTP 429)")]
    public async Task ErrorStatus_IsAFailedCall(int status, string expected)
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(status));

        var result = await _chat.CompleteAsync(Scope, Expert, Question(), CancellationToken.None);

        Assert.Equal((expected, status), (result.StatusText, result.HttpStatus));
    }

    [Fact]
    public async Task Timeout_IsATimedOutCall()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Error: ForwarderError.RequestTimedOut));

        var result = await _chat.CompleteAsync(Scope, Expert, Question(), CancellationToken.None);

        Assert.Equal("timeout", result.StatusText);
    }

    [Fact]
    public async Task UnreadableAnswer_IsAFailedCall()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "not json"));

        var result = await _chat.CompleteAsync(Scope, Expert, Question(), CancellationToken.None);

        Assert.Equal("failed(unreadable response)", result.StatusText);
    }

    private static JsonObject Question() => new() { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is 6 * 7?" }) };
}
