using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>The Responses facade end to end over an in-process store: translate, answer, continue.</summary>
public sealed class ResponsesProtocolTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ResponsesProtocol protocol;

    public ResponsesProtocolTests()
    {
        var options = new ResponseStateOptions { TimeToLive = TimeSpan.FromMinutes(10) };
        protocol = new ResponsesProtocol(new InProcessResponseStateStore(time, options), SequentialIds(), time, options, NullLogger<ResponsesProtocol>.Instance);
    }

    private async Task<(ResponsesCall Call, JsonNode Response)> TurnAsync(string tenant, string request, string completion)
    {
        var call = await protocol.TranslateRequestAsync(tenant, Utf8(request), CancellationToken.None);
        Assert.Null(call.Error);
        var body = await protocol.TranslateResponseAsync(tenant, call.Value!, Utf8(completion), CancellationToken.None);
        Assert.Null(body.Error);
        return (call.Value!, Json(body.Value!));
    }

    [Fact]
    public async Task PreviousResponseId_SameTenant_ContinuesTheConversation()
    {
        var (_, first) = await TurnAsync("t1", """{"model":"auto","instructions":"Be brief.","input":"My name is Ada."}""", Completion("""{"role":"assistant","content":"Hello Ada."}"""));
        var id = first["id"]!.GetValue<string>();

        var second = await protocol.TranslateRequestAsync("t1", Utf8($$"""{"model":"auto","previous_response_id":"{{id}}","input":"What is my name?"}"""), CancellationToken.None);

        var messages = Json(second.Value!.ChatBody)["messages"]!.ToJsonString(Relaxed);
        Assert.Equal("""[{"role":"user","content":"My name is Ada."},{"role":"assistant","content":"Hello Ada."},{"role":"user","content":"What is my name?"}]""", messages);
        Assert.NotEqual(id, second.Value.ResponseId);
    }

    [Fact]
    public async Task PreviousResponseId_FromAnotherTenant_IsNotFound()
    {
        var (_, first) = await TurnAsync("t1", """{"model":"auto","input":"secret"}""", Completion("""{"role":"assistant","content":"noted"}"""));

        var other = await protocol.TranslateRequestAsync("t2", Utf8($$"""{"model":"auto","previous_response_id":"{{first["id"]}}","input":"what was it?"}"""), CancellationToken.None);

        Assert.Equal(400, other.Error!.StatusCode);
        Assert.Equal("previous_response_not_found", other.Error.Code);
        Assert.Equal("previous_response_id", other.Error.Param);
    }

    [Fact]
    public async Task PreviousResponseId_AfterItsTtl_IsNotFound()
    {
        var (_, first) = await TurnAsync("t1", """{"model":"auto","input":"hi"}""", Completion("""{"role":"assistant","content":"hello"}"""));
        time.Advance(TimeSpan.FromMinutes(10));

        var later = await protocol.TranslateRequestAsync("t1", Utf8($$"""{"model":"auto","previous_response_id":"{{first["id"]}}","input":"again"}"""), CancellationToken.None);

        Assert.Equal("previous_response_not_found", later.Error!.Code);
    }

    [Fact]
    public async Task StoreFalse_CannotBeContinued()
    {
        var (_, first) = await TurnAsync("t1", """{"model":"auto","input":"hi","store":false}""", Completion("""{"role":"assistant","content":"hello"}"""));

        var later = await protocol.TranslateRequestAsync("t1", Utf8($$"""{"model":"auto","previous_response_id":"{{first["id"]}}","input":"again"}"""), CancellationToken.None);

        Assert.Equal("previous_response_not_found", later.Error!.Code);
    }

    [Fact]
    public async Task ToolRoundTrip_OutputForTheStoredCall_ReachesTheExpertAsToolMessage()
    {
        var (_, first) = await TurnAsync(
            "t1",
            """{"model":"auto","input":"Weather in Paris?","tools":[{"type":"function","name":"weather","parameters":{"type":"object"}}]}""",
            Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"expert_call","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]}""", "tool_calls"));
        var callId = first["output"]![0]!["call_id"]!.GetValue<string>();

        var request = new JsonObject
        {
            ["model"] = "auto",
            ["previous_response_id"] = first["id"]!.GetValue<string>(),
            ["input"] = new JsonArray(new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = "18C and sunny" }),
            ["tools"] = JsonNode.Parse("""[{"type":"function","name":"weather","parameters":{"type":"object"}}]"""),
        };
        var second = await protocol.TranslateRequestAsync("t1", Utf8(request.ToJsonString()), CancellationToken.None);

        var messages = Json(second.Value!.ChatBody)["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()).ToArray());
        Assert.Equal(callId, messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(callId, messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("18C and sunny", messages[2]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task TranslateRequest_Malformed_IsTheParsersError()
    {
        var result = await protocol.TranslateRequestAsync("t1", Utf8("""{"model":"auto"}"""), CancellationToken.None);

        Assert.Equal("input", result.Error!.Param);
    }

    [Fact]
    public async Task PreviousResponseId_StoreDown_Is503NotAnException()
    {
        var options = new ResponseStateOptions();
        var broken = new ResponsesProtocol(new BrokenStore(), SequentialIds(), time, options, NullLogger<ResponsesProtocol>.Instance);

        var result = await broken.TranslateRequestAsync("t1", Utf8("""{"model":"auto","previous_response_id":"resp_1","input":"hi"}"""), CancellationToken.None);
        var stateless = await broken.TranslateRequestAsync("t1", Utf8("""{"model":"auto","input":"hi"}"""), CancellationToken.None);

        Assert.Equal(503, result.Error!.StatusCode);
        Assert.Equal("state_store_unavailable", result.Error.Code);
        Assert.True(stateless.Succeeded);
    }

    [Fact]
    public async Task TranslateResponse_StoreDown_StillAnswers()
    {
        var options = new ResponseStateOptions();
        var broken = new ResponsesProtocol(new BrokenStore(), SequentialIds(), time, options, NullLogger<ResponsesProtocol>.Instance);
        var call = await broken.TranslateRequestAsync("t1", Utf8("""{"model":"auto","input":"hi"}"""), CancellationToken.None);

        var body = await broken.TranslateResponseAsync("t1", call.Value!, Utf8(Completion("""{"role":"assistant","content":"hello"}""")), CancellationToken.None);

        Assert.Equal("completed", Json(body.Value!)["status"]!.GetValue<string>());
    }

    private sealed class BrokenStore : IResponseStateStore
    {
        public string Name => "broken";

        public ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("connection refused");

        public ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("connection refused");
    }
}
