using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols.Responses;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class ResponsesResponseTranslationTests
{
    private static readonly DateTimeOffset Expiry = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static ResponsesCall Call(string body)
    {
        var parsed = ResponsesRequestParser.Parse(Utf8(body));
        return ResponsesChatBody.Build(parsed.Value!, null, "resp_test", 1700000000).Value!;
    }

    private static (JsonNode Response, ResponsesAnswer Answer) Translate(string completion, string request = """{"model":"auto","input":"hi"}""")
    {
        var result = ResponsesResponseTranslator.Translate(Call(request), Utf8(completion), SequentialIds(), Expiry);
        Assert.Null(result.Error);
        return (Json(result.Value!.Body), result.Value);
    }

    [Fact]
    public void Translate_Text_IsCompletedMessageWithOutputTextAndUsage()
    {
        var (response, _) = Translate(Completion("""{"role":"assistant","content":"Four."}"""));

        Assert.Equal("resp_test", response["id"]!.GetValue<string>());
        Assert.Equal("response", response["object"]!.GetValue<string>());
        Assert.Equal(1700000000, response["created_at"]!.GetValue<long>());
        Assert.Equal("completed", response["status"]!.GetValue<string>());
        Assert.Equal("expert-a", response["model"]!.GetValue<string>());
        Assert.Null(response["error"]);
        Assert.Null(response["incomplete_details"]);
        var message = response["output"]!.AsArray().Single()!;
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("msg_00000000000000000100000000000000", message["id"]!.GetValue<string>());
        Assert.Equal("completed", message["status"]!.GetValue<string>());
        Assert.Equal("assistant", message["role"]!.GetValue<string>());
        Assert.Equal("""[{"type":"output_text","text":"Four.","annotations":[],"logprobs":[]}]""", message["content"]!.ToJsonString(Relaxed));
        Assert.Equal(
            """{"input_tokens":11,"input_tokens_details":{"cached_tokens":0},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":18}""",
            response["usage"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_Refusal_IsMessageWithRefusalPart()
    {
        var (response, _) = Translate(Completion("""{"role":"assistant","content":null,"refusal":"I can't help with that."}"""));

        Assert.Equal("""[{"type":"refusal","refusal":"I can't help with that."}]""", response["output"]![0]!["content"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_ParallelToolCalls_AreFunctionCallItemsWithFreshIds()
    {
        var (response, answer) = Translate(Completion("""
            {"role":"assistant","content":null,"tool_calls":[
              {"id":"expert_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
              {"id":"expert_2","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]}
            """, "tool_calls"));

        var output = response["output"]!.AsArray();
        Assert.Equal(2, output.Count);
        Assert.All(output, item => Assert.Equal("function_call", item!["type"]!.GetValue<string>()));
        Assert.Equal("fc_00000000000000000100000000000000", output[0]!["id"]!.GetValue<string>());
        Assert.Equal("call_00000000000000000200000000000000", output[0]!["call_id"]!.GetValue<string>());
        Assert.Equal("""{"city":"Rome"}""", output[1]!["arguments"]!.GetValue<string>());
        Assert.Equal("completed", response["status"]!.GetValue<string>());
        var stored = JsonNode.Parse(answer.ToStore!.MessagesJson)!.AsArray();
        Assert.Equal("call_00000000000000000200000000000000", stored[^1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_TextAndToolCall_MessageComesFirst()
    {
        var (response, _) = Translate(Completion("""
            {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"x","type":"function","function":{"name":"f","arguments":"{}"}}]}
            """, "tool_calls"));

        Assert.Equal(["message", "function_call"], response["output"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()).ToArray());
    }

    [Theory]
    [InlineData("length", "max_output_tokens")]
    [InlineData("content_filter", "content_filter")]
    public void Translate_CutShort_IsIncompleteWithTheReason(string finishReason, string reason)
    {
        var (response, _) = Translate(Completion("""{"role":"assistant","content":"Part"}""", finishReason));

        Assert.Equal("incomplete", response["status"]!.GetValue<string>());
        Assert.Equal(reason, response["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Equal("incomplete", response["output"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_UsageDetails_AreCarriedOver()
    {
        var (response, _) = Translate(Completion("""{"role":"assistant","content":"x"}""", usage: """
            {"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":20}}
            """));

        Assert.Equal(64, response["usage"]!["input_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.Equal(20, response["usage"]!["output_tokens_details"]!["reasoning_tokens"]!.GetValue<int>());
        Assert.Equal(150, response["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Translate_EchoesTheRequest()
    {
        var (response, _) = Translate(Completion("""{"role":"assistant","content":"x"}"""), """
            {"model":"auto","input":"hi","instructions":"Be brief.","metadata":{"k":"v"},"temperature":0.5,"max_output_tokens":64,
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":"required","parallel_tool_calls":false}
            """);

        Assert.Equal("Be brief.", response["instructions"]!.GetValue<string>());
        Assert.Equal("v", response["metadata"]!["k"]!.GetValue<string>());
        Assert.Equal(0.5, response["temperature"]!.GetValue<double>());
        Assert.Equal(64, response["max_output_tokens"]!.GetValue<int>());
        Assert.Equal("required", response["tool_choice"]!.GetValue<string>());
        Assert.False(response["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("""[{"type":"function","name":"f","description":null,"parameters":{"type":"object"},"strict":null}]""", response["tools"]!.ToJsonString(Relaxed));
        Assert.True(response["store"]!.GetValue<bool>());
        Assert.Equal("text", response["text"]!["format"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_StoredConversation_IsInputPlusTheAssistantTurn()
    {
        var (_, answer) = Translate(Completion("""{"role":"assistant","content":"Four."}"""));

        Assert.Equal("resp_test", answer.ToStore!.ResponseId);
        Assert.Equal(Expiry, answer.ToStore.ExpiresAt);
        Assert.Equal("""[{"role":"user","content":"hi"},{"role":"assistant","content":"Four."}]""", answer.ToStore.MessagesJson);
    }

    [Fact]
    public void Translate_StoreFalse_StoresNothing()
    {
        var (_, answer) = Translate(Completion("""{"role":"assistant","content":"x"}"""), """{"model":"m","input":"hi","store":false}""");

        Assert.Null(answer.ToStore);
    }

    [Theory]
    [InlineData("not json", 502)]
    [InlineData("""{"choices":[]}""", 502)]
    [InlineData("""{"error":{"message":"quota","type":"rate_limit_error","code":"rate_limit_exceeded"}}""", 429)]
    public void Translate_BrokenAnswer_IsATypedError(string completion, int status)
    {
        var result = ResponsesResponseTranslator.Translate(Call("""{"model":"m","input":"hi"}"""), Utf8(completion), SequentialIds(), Expiry);

        Assert.Equal(status, result.Error!.StatusCode);
    }
}
