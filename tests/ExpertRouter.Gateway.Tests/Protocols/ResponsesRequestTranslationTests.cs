using System.Text;
using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class ResponsesRequestTranslationTests
{
    private static (ResponsesCall Call, JsonNode Chat) Translate(string body, StoredResponse? previous = null)
    {
        var parsed = ResponsesRequestParser.Parse(Utf8(body));
        Assert.Null(parsed.Error);
        var call = ResponsesChatBody.Build(parsed.Value!, previous, "resp_1", 1700000000);
        Assert.Null(call.Error);
        return (call.Value!, Json(call.Value!.ChatBody));
    }

    [Fact]
    public void Translate_StringInput_IsOneUserMessageUnderTheSameModel()
    {
        var (call, chat) = Translate("""{"model":"auto","input":"What is 2+2?"}""");

        Assert.Equal("auto", chat["model"]!.GetValue<string>());
        Assert.Equal("""[{"role":"user","content":"What is 2+2?"}]""", chat["messages"]!.ToJsonString(Relaxed));
        Assert.Null(chat["stream"]);
        Assert.True(call.Request.Store);
        Assert.False(call.Request.Stream);
        Assert.Equal("resp_1", call.ResponseId);
    }

    [Fact]
    public void Translate_Instructions_ComeFirstAsSystemMessageAndStayOutOfTheConversation()
    {
        var (call, chat) = Translate("""{"model":"m","instructions":"Be brief.","input":"hi"}""");

        Assert.Equal("""{"role":"system","content":"Be brief."}""", chat["messages"]![0]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"user","content":"hi"}""", Encoding.UTF8.GetString(call.ConversationMessages.Span));
        Assert.Equal("Be brief.", call.Request.Echo.Instructions);
    }

    [Fact]
    public void Translate_MessageItemsWithParts_BecomeChatMessagesWithTextAndImageParts()
    {
        var (_, chat) = Translate("""
            {"model":"m","input":[
              {"role":"developer","content":"Rules."},
              {"type":"message","role":"user","content":[
                {"type":"input_text","text":"What is in"},
                {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]},
              {"role":"assistant","content":[{"type":"output_text","text":"A cat."}]},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"role":"user","content":"Sure?"}]}
            """);

        Assert.Equal(
            """[{"role":"system","content":"Rules."},{"role":"user","content":[{"type":"text","text":"What is in"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},{"role":"assistant","content":"A cat."},{"role":"user","content":"Sure?"}]""",
            chat["messages"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_FunctionCallItems_JoinTheAssistantTurnAndOutputsBecomeToolMessages()
    {
        var (_, chat) = Translate("""
            {"model":"m","input":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking."},
              {"type":"function_call","call_id":"call_a","name":"weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call","call_id":"call_b","name":"weather","arguments":"{\"city\":\"Rome\"}"},
              {"type":"function_call_output","call_id":"call_a","output":"18C"},
              {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"21C"}]}]}
            """);

        var messages = chat["messages"]!.AsArray();
        Assert.Equal(4, messages.Count);
        Assert.Equal(
            """{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]}""",
            messages[1]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"tool","tool_call_id":"call_a","content":"18C"}""", messages[2]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"tool","tool_call_id":"call_b","content":"21C"}""", messages[3]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_ToolsChoiceAndParallel_BecomeChatFunctionTools()
    {
        var (call, chat) = Translate("""
            {"model":"m","input":"hi","parallel_tool_calls":false,
             "tools":[{"type":"function","name":"weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}],
             "tool_choice":{"type":"function","name":"weather"}}
            """);

        Assert.Equal(
            """[{"type":"function","function":{"name":"weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}]""",
            chat["tools"]!.ToJsonString(Relaxed));
        Assert.Equal("""{"type":"function","function":{"name":"weather"}}""", chat["tool_choice"]!.ToJsonString(Relaxed));
        Assert.False(chat["parallel_tool_calls"]!.GetValue<bool>());
        Assert.False(call.Request.Echo.ParallelToolCalls);
        Assert.Equal("""{"type":"function","name":"weather"}""", call.Request.Echo.ToolChoiceJson);
        Assert.Contains("\"strict\":true", call.Request.Echo.ToolsJson);
    }

    [Theory]
    [InlineData("\"required\"", "\"required\"")]
    [InlineData("\"none\"", "\"none\"")]
    [InlineData("\"auto\"", "\"auto\"")]
    public void Translate_ToolChoiceString_IsCarriedOver(string choice, string expected)
    {
        var (_, chat) = Translate($$"""{"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{{choice}}}""");

        Assert.Equal(expected, chat["tool_choice"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_SamplingLimitsAndJsonSchema_BecomeChatOptions()
    {
        var (call, chat) = Translate("""
            {"model":"m","input":"hi","temperature":0.2,"top_p":0.9,"max_output_tokens":256,"metadata":{"trace":"t1"},"user":"u-1",
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"x":{"type":"number"}}},"strict":true}}}
            """);

        Assert.Equal(0.2, chat["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, chat["top_p"]!.GetValue<double>());
        Assert.Equal(256, chat["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("u-1", chat["user"]!.GetValue<string>());
        Assert.Equal(
            """{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object","properties":{"x":{"type":"number"}}},"strict":true}}""",
            chat["response_format"]!.ToJsonString(Relaxed));
        Assert.Null(chat["metadata"]);
        Assert.Equal("""{"trace":"t1"}""", call.Request.Echo.MetadataJson);
        Assert.Equal(256, call.Request.Echo.MaxOutputTokens);
    }

    [Fact]
    public void Translate_JsonObjectFormat_BecomesJsonObjectResponseFormat()
    {
        var (_, chat) = Translate("""{"model":"m","input":"hi","text":{"format":{"type":"json_object"}}}""");

        Assert.Equal("""{"type":"json_object"}""", chat["response_format"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_Stream_AsksForTheUsageChunk()
    {
        var (call, chat) = Translate("""{"model":"m","input":"hi","stream":true}""");

        Assert.True(chat["stream"]!.GetValue<bool>());
        Assert.True(chat["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.True(call.Request.Stream);
    }

    [Fact]
    public void Translate_StoreFalseAndUnknownMembers_AreToleratedAndKept()
    {
        var (call, chat) = Translate("""{"model":"m","input":"hi","store":false,"reasoning":{"effort":"low"},"include":[],"truncation":"auto","future_member":1}""");

        Assert.False(call.Request.Store);
        Assert.Null(chat["reasoning"]);
        Assert.Null(chat["future_member"]);
    }

    [Fact]
    public void Translate_PreviousResponse_PutsItsHistoryBetweenInstructionsAndInput()
    {
        var history = """[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"w","arguments":"{}"}}]}]""";
        var previous = new StoredResponse("resp_0", history, DateTimeOffset.MaxValue);

        var (call, chat) = Translate("""
            {"model":"m","instructions":"Be brief.","previous_response_id":"resp_0",
             "input":[{"type":"function_call_output","call_id":"call_9","output":"sunny"}]}
            """, previous);

        var messages = chat["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()).ToArray());
        Assert.Equal("resp_0", call.Request.PreviousResponseId);
        Assert.Equal(3, JsonNode.Parse("[" + Encoding.UTF8.GetString(call.ConversationMessages.Span) + "]")!.AsArray().Count);
    }

    [Fact]
    public void Translate_PreviousResponseAndInstructions_ConversationIsTheHistoryThenTheInputAsSent()
    {
        var history = """[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}]""";
        var previous = new StoredResponse("resp_0", history, DateTimeOffset.MaxValue);

        var (call, chat) = Translate("""{"model":"m","instructions":"Be brief.","previous_response_id":"resp_0","input":"Bye","temperature":0.5}""", previous);

        Assert.Equal(
            """[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Bye"}]""",
            chat["messages"]!.ToJsonString(Relaxed));
        Assert.Equal(0.5, chat["temperature"]!.GetValue<double>());
        Assert.Equal(
            """{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Bye"}""",
            Encoding.UTF8.GetString(call.ConversationMessages.Span));
    }
}
