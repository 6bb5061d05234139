using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols.Messages;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class AnthropicResponseTranslationTests
{
    private const string Request = """{"model":"claude-x","max_tokens":100,"stop_sequences":["END"],"messages":[{"role":"user","content":"hi"}]}""";

    private static JsonNode Translate(string completion, string request = Request)
    {
        var call = AnthropicRequestTranslationTests.Call(request);
        var result = AnthropicResponseTranslator.Translate(call, Utf8(completion), SequentialIds());
        Assert.Null(result.Error);
        return Json(result.Value!);
    }

    [Fact]
    public void Translate_Text_IsMessageWithTextBlockEndTurnAndUsage()
    {
        var message = Translate(Completion("""{"role":"assistant","content":"Hello!"}"""));

        Assert.StartsWith("msg_", message["id"]!.GetValue<string>());
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("assistant", message["role"]!.GetValue<string>());
        Assert.Equal("expert-a", message["model"]!.GetValue<string>());
        Assert.Equal("""[{"type":"text","text":"Hello!"}]""", message["content"]!.ToJsonString(Relaxed));
        Assert.Equal("end_turn", message["stop_reason"]!.GetValue<string>());
        Assert.Null(message["stop_sequence"]);
        Assert.Equal(11, message["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(7, message["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Translate_ToolCalls_AreToolUseBlocksWithObjectInputAndClientNames()
    {
        var request = """{"model":"m","max_tokens":9,"tools":[{"name":"files.read","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"go"}]}""";
        var call = AnthropicRequestTranslationTests.Call(request);
        var expertName = call.ToolNames.ToExpert("files.read");
        var completion = Completion($$$"""
            {"role":"assistant","content":"Reading.","tool_calls":[
              {"id":"call_1","type":"function","function":{"name":"{{{expertName}}}","arguments":"{\"path\":\"/a\"}"}},
              {"id":"call_2","type":"function","function":{"name":"other","arguments":""}}]}
            """, "tool_calls");

        var message = Json(AnthropicResponseTranslator.Translate(call, Utf8(completion), SequentialIds()).Value!);

        var content = message["content"]!.AsArray();
        Assert.Equal("text", content[0]!["type"]!.GetValue<string>());
        Assert.Equal("tool_use", content[1]!["type"]!.GetValue<string>());
        Assert.Equal("toolu_00000000000000000100000000000000", content[1]!["id"]!.GetValue<string>());
        Assert.Equal("files.read", content[1]!["name"]!.GetValue<string>());
        Assert.Equal("""{"path":"/a"}""", content[1]!["input"]!.ToJsonString(Relaxed));
        Assert.Equal("{}", content[2]!["input"]!.ToJsonString());
        Assert.Equal("tool_use", message["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_ArgumentsNotJson_ArePassedAsAString()
    {
        var message = Translate(Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{broken"}}]}""", "tool_calls"));

        Assert.Equal(JsonValueKind.String, message["content"]![0]!["input"]!.GetValueKind());
    }

    [Theory]
    [InlineData("length", null, "max_tokens", null)]
    [InlineData("stop", "END", "stop_sequence", "END")]
    [InlineData("stop", "NOT-ASKED", "end_turn", null)]
    [InlineData("content_filter", null, "refusal", null)]
    public void Translate_FinishReason_MapsToStopReason(string finish, string? matched, string reason, string? sequence)
    {
        var completion = Completion("""{"role":"assistant","content":"x"}""", finish);
        if (matched is not null)
        {
            completion = completion.Replace("\"finish_reason\"", $"\"stop_reason\":\"{matched}\",\"finish_reason\"", StringComparison.Ordinal);
        }

        var message = Translate(completion);

        Assert.Equal(reason, message["stop_reason"]!.GetValue<string>());
        Assert.Equal(sequence, message["stop_sequence"]?.GetValue<string>());
    }

    [Fact]
    public void Translate_Refusal_IsTextWithStopReasonRefusal()
    {
        var message = Translate(Completion("""{"role":"assistant","content":null,"refusal":"I can't help with that."}"""));

        Assert.Equal("I can't help with that.", message["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("refusal", message["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_CachedPromptTokens_AreReportedAsCacheReads()
    {
        var message = Translate(Completion("""{"role":"assistant","content":"x"}""", usage: """{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":60}}"""));

        Assert.Equal(40, message["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(60, message["usage"]!["cache_read_input_tokens"]!.GetValue<int>());
        Assert.Equal(5, message["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Translate_ExpertErrorInBody_IsTheTypedError()
    {
        var call = AnthropicRequestTranslationTests.Call(Request);

        var result = AnthropicResponseTranslator.Translate(call, Utf8("""{"error":{"message":"overloaded","type":"server_error","code":503}}"""), SequentialIds());

        Assert.Equal(503, result.Error!.StatusCode);
        Assert.Equal("overloaded_error", AnthropicErrors.TypeOf(result.Error));
    }
}
