using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>Every class of malformed Responses API request is a 400 in OpenAI's envelope, naming the field.</summary>
public sealed class ResponsesBadInputTests
{
    [Theory]
    [InlineData("", null, "invalid_json")]
    [InlineData("{\"model\":", null, "invalid_json")]
    [InlineData("[1,2]", null, "invalid_json")]
    [InlineData("""{"input":"hi"}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":7,"input":"hi"}""", "model", "invalid_type")]
    [InlineData("""{"model":"m"}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":""}""", "input", "empty_array")]
    [InlineData("""{"model":"m","input":[]}""", "input", "empty_array")]
    [InlineData("""{"model":"m","input":{"role":"user"}}""", "input", "invalid_type")]
    [InlineData("""{"model":"m","input":["hi"]}""", "input[0]", "invalid_type")]
    [InlineData("""{"model":"m","input":[{"content":"hi"}]}""", "input[0].type", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[{"type":"web_search_call","id":"x"}]}""", "input[0].type", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0].type", "unsupported_value")]
    [InlineData("""{"model":"m","input":[{"role":"tool","content":"x"}]}""", "input[0].role", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"role":"user"}]}""", "input[0].content", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[]}]}""", "input[0].content", "empty_array")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_video"}]}]}""", "input[0].content[0].type", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_text"}]}]}""", "input[0].content[0].text", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]}""", "input[0].content[0].file_id", "unsupported_value")]
    [InlineData("""{"model":"m","input":[{"role":"system","content":[{"type":"input_image","image_url":"https://x/y.png"}]}]}""", "input[0].content[0].type", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_data":"x"}]}]}""", "input[0].content[0].type", "unsupported_value")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""", "input[0].call_id", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}""", "input[0].output", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":"hi","temperature":"hot"}""", "temperature", "invalid_type")]
    [InlineData("""{"model":"m","input":"hi","temperature":3}""", "temperature", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":0}""", "max_output_tokens", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"model":"m","input":"hi","tools":{}}""", "tools", "invalid_type")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"web_search_preview"}]}""", "tools[0].type", "unsupported_value")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"function"}]}""", "tools[0].name", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":"sometimes"}""", "tool_choice", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}}""", "tool_choice.name", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}""", "text.format.type", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"a"}}}""", "text.format.schema", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":"hi","conversation":"conv_1"}""", "conversation", "unsupported_value")]
    [InlineData("""{"model":"m","input":"hi","metadata":[1]}""", "metadata", "invalid_type")]
    public void Parse_MalformedRequest_Is400NamingTheField(string body, string? param, string code)
    {
        var result = ResponsesRequestParser.Parse(Utf8(body));

        Assert.False(result.Succeeded);
        Assert.Equal(400, result.Error.StatusCode);
        Assert.Equal("invalid_request_error", result.Error.Type);
        Assert.Equal(param, result.Error.Param);
        Assert.Equal(code, result.Error.Code);
        var envelope = Json(ResponsesProtocol.ErrorBody(result.Error));
        Assert.Equal(result.Error.Message, envelope["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_LoneSurrogate_Is400()
    {
        var result = ResponsesRequestParser.Parse(Utf8("""{"model":"m","input":"\ud800"}"""));

        Assert.Equal("invalid_encoding", result.Error!.Code);
    }

    [Fact]
    public void Parse_InvalidUtf8_Is400()
    {
        var result = ResponsesRequestParser.Parse(new byte[] { (byte)'{', 0xff, 0xfe, (byte)'}' });

        Assert.Equal("invalid_encoding", result.Error!.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("""[{"role":"assistant","content":null,"tool_calls":[{"id":"call_other","type":"function","function":{"name":"f","arguments":"{}"}}]}]""")]
    public void Build_OutputWithoutMatchingCall_Is400(string? history)
    {
        var parsed = ResponsesRequestParser.Parse(Utf8("""{"model":"m","input":[{"type":"function_call_output","call_id":"call_x","output":"done"}]}"""));
        var previous = history is null ? null : new StoredResponse("resp_0", history, DateTimeOffset.MaxValue);

        var call = ResponsesChatBody.Build(parsed.Value!, previous, "resp_1", 0);

        Assert.Equal(400, call.Error!.StatusCode);
        Assert.Contains("call_x", call.Error.Message);
    }
}
