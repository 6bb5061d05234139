using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols.Messages;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class AnthropicRequestTranslationTests
{
    internal static AnthropicCall Call(string body)
    {
        var result = AnthropicRequestTranslator.Translate(Utf8(body), SequentialIds());
        Assert.Null(result.Error);
        return result.Value!;
    }

    private static JsonNode Chat(string body) => Json(Call(body).ChatBody);

    [Fact]
    public void Translate_Minimal_IsUserMessageWithMaxTokensUnderTheSameModel()
    {
        var call = Call("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello, Claude"}]}""");
        var chat = Json(call.ChatBody);

        Assert.Equal("claude-sonnet-4-5", chat["model"]!.GetValue<string>());
        Assert.Equal("""[{"role":"user","content":"Hello, Claude"}]""", chat["messages"]!.ToJsonString(Relaxed));
        Assert.Equal(1024, chat["max_completion_tokens"]!.GetValue<int>());
        Assert.Null(chat["stream"]);
        Assert.StartsWith("msg_", call.MessageId);
        Assert.True(call.EstimatedInputTokens > 0);
    }

    [Fact]
    public void Translate_SystemAsStringOrBlocks_IsTheFirstMessage()
    {
        var fromString = Chat("""{"model":"m","max_tokens":5,"system":"Be terse.","messages":[{"role":"user","content":"hi"}]}""");
        var fromBlocks = Chat("""{"model":"m","max_tokens":5,"system":[{"type":"text","text":"Be terse."},{"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("""{"role":"system","content":"Be terse."}""", fromString["messages"]![0]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"system","content":"Be terse.\nAnswer in French."}""", fromBlocks["messages"]![0]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_TextAndImageBlocks_BecomeContentParts()
    {
        var chat = Chat("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
              {"type":"text","text":"Compare"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]}
            """);

        Assert.Equal(
            """[{"type":"text","text":"Compare"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0"}},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]""",
            chat["messages"]![0]!["content"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_ToolUseAndToolResult_BecomeToolCallsAndToolMessages()
    {
        var chat = Chat("""
            {"model":"m","max_tokens":5,"messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":[
                {"type":"thinking","thinking":"two calls","signature":"s"},
                {"type":"text","text":"Checking."},
                {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},
                {"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Rome"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                {"type":"tool_result","tool_use_id":"toolu_2","is_error":false,"content":[{"type":"text","text":"21C"},{"type":"image","source":{"type":"url","url":"https://x/map.png"}}]},
                {"type":"text","text":"Which is warmer?"}]}]}
            """);

        var messages = chat["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "tool", "user"], messages.Select(m => m!["role"]!.GetValue<string>()).ToArray());
        Assert.Equal(
            """{"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"toolu_2","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]}""",
            messages[1]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"tool","tool_call_id":"toolu_1","content":"18C"}""", messages[2]!.ToJsonString(Relaxed));
        Assert.Equal("""{"role":"tool","tool_call_id":"toolu_2","content":"21C"}""", messages[3]!.ToJsonString(Relaxed));
        Assert.Equal(
            """[{"type":"image_url","image_url":{"url":"https://x/map.png"}},{"type":"text","text":"Which is warmer?"}]""",
            messages[4]!["content"]!.ToJsonString(Relaxed));
    }

    [Fact]
    public void Translate_ToolsAndChoice_BecomeChatFunctionTools()
    {
        var chat = Chat("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],
             "tools":[{"name":"weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}}],
             "tool_choice":{"type":"tool","name":"weather","disable_parallel_tool_use":true}}
            """);

        Assert.Equal(
            """[{"type":"function","function":{"name":"weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""",
            chat["tools"]!.ToJsonString(Relaxed));
        Assert.Equal("""{"type":"function","function":{"name":"weather"}}""", chat["tool_choice"]!.ToJsonString(Relaxed));
        Assert.False(chat["parallel_tool_calls"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("auto", "\"auto\"")]
    [InlineData("any", "\"required\"")]
    [InlineData("none", "\"none\"")]
    public void Translate_ToolChoiceType_MapsToChatsChoice(string type, string expected)
    {
        var chat = Chat($$$"""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"{{{type}}}"}}""");

        Assert.Equal(expected, chat["tool_choice"]!.ToJsonString());
        Assert.Null(chat["parallel_tool_calls"]);
    }

    [Fact]
    public void Translate_SamplingStopAndStream_BecomeChatOptions()
    {
        var call = Call("""
            {"model":"m","max_tokens":300,"temperature":0.3,"top_p":0.8,"top_k":40,"stop_sequences":["END","\n\nHuman:"],"stream":true,
             "metadata":{"user_id":"u1"},"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"hi"}]}
            """);
        var chat = Json(call.ChatBody);

        Assert.Equal(0.3, chat["temperature"]!.GetValue<double>());
        Assert.Equal(0.8, chat["top_p"]!.GetValue<double>());
        Assert.Equal("""["END","\n\nHuman:"]""", chat["stop"]!.ToJsonString(Relaxed));
        Assert.True(chat["stream"]!.GetValue<bool>());
        Assert.True(chat["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Null(chat["top_k"]);
        Assert.Null(chat["metadata"]);
        Assert.True(call.Stream);
        Assert.Equal(["END", "\n\nHuman:"], call.StopSequences);
    }

    [Fact]
    public void Translate_ToolNamesChatRefuses_GetStandInsEverywhere()
    {
        var longName = "mcp__filesystem__" + new string('x', 60);
        var call = Call($$$"""
            {"model":"m","max_tokens":5,
             "tools":[{"name":"{{{longName}}}","input_schema":{"type":"object"}},{"name":"files.read","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"tool","name":"files.read"},
             "messages":[{"role":"user","content":"go"},
               {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"files.read","input":{}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}
            """);
        var chat = Json(call.ChatBody);

        var names = chat["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToArray();
        Assert.All(names, name => Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", name));
        Assert.Equal(names[1], chat["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal(names[1], chat["messages"]![1]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("files.read", call.ToolNames.ToClient(names[1]));
        Assert.Equal(longName, call.ToolNames.ToClient(names[0]));
        Assert.Equal(2, call.ToolNames.Count);
    }

    [Fact]
    public void Translate_NonAsciiText_StaysUtf8InTheChatBodyAndRoundTrips()
    {
        var call = Call("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"héllo 世界 + 🙂"}]}""");

        var body = System.Text.Encoding.UTF8.GetString(call.ChatBody);
        Assert.Contains("héllo 世界 + ", body);
        Assert.Equal("héllo 世界 + 🙂", Json(call.ChatBody)["messages"]![0]!["content"]!.GetValue<string>());
    }
}
