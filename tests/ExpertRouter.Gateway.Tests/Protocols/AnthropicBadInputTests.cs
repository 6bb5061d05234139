using ExpertRouter.Gateway.Protocols.Messages;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>Every class of malformed Messages request is a 400 in Anthropic's error shape, naming the field.</summary>
public sealed class AnthropicBadInputTests
{
    private const string Tools = """ "tools":[{"name":"f","input_schema":{"type":"object"}}] """;

    [Theory]
    [InlineData("", null)]
    [InlineData("{\"model\":", null)]
    [InlineData("\"text\"", null)]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"m","max_tokens":"many","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"m","max_tokens":5}""", "messages")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[]}""", "messages")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":"hi"}""", "messages")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"content":"hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user"}]}""", "messages.0.content")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[]}]}""", "messages.0.content")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":42}]}""", "messages.0.content")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"video"}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"text":"no type"}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages.0.content.0.text")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"x"}}]}]}""", "messages.0.content.0.source.media_type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}""", "messages.0.content.0.source.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"?"}]}]}""", "messages.0.content.0.tool_use_id")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2"}]}]}""", "messages.2.content.0.tool_use_id")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":"no result"}]}""", "messages.2.content")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f"}]}]}""", "messages.1.content.0.input")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"hi"}]}""", "system.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"system":7,"messages":[{"role":"user","content":"hi"}]}""", "system")]
    [InlineData("""{"model":"m","max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]}""", "temperature")]
    [InlineData("""{"model":"m","max_tokens":5,"stop_sequences":[1],"messages":[{"role":"user","content":"hi"}]}""", "stop_sequences.0")]
    [InlineData("""{"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "stream")]
    [InlineData("""{"model":"m","max_tokens":5,"tools":[{"name":"f"}],"messages":[{"role":"user","content":"hi"}]}""", "tools.0.input_schema")]
    [InlineData("""{"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"hi"}]}""", "tools.0.type")]
    [InlineData("""{"model":"m","max_tokens":5,"tool_choice":{"type":"any"},"messages":[{"role":"user","content":"hi"}]}""", "tool_choice")]
    [InlineData("""{"model":"m","max_tokens":5,"tool_choice":{"type":"sometimes"},"""+Tools+""","messages":[{"role":"user","content":"hi"}]}""", "tool_choice.type")]
    [InlineData("""{"model":"m","max_tokens":5,"tool_choice":{"type":"tool","name":"g"},"""+Tools+""","messages":[{"role":"user","content":"hi"}]}""", "tool_choice.name")]
    [InlineData("""{"model":"m","max_tokens":5,"tool_choice":"auto","""+Tools+""","messages":[{"role":"user","content":"hi"}]}""", "tool_choice")]
    public void Translate_MalformedRequest_Is400InAnthropicShape(string body, string? param)
    {
        var result = AnthropicRequestTranslator.Translate(Utf8(body), SequentialIds());

        Assert.False(result.Succeeded);
        Assert.Equal(400, result.Error.StatusCode);
        Assert.Equal(param, result.Error.Param);
        var json = Json(AnthropicMessagesProtocol.ErrorBody(result.Error));
        Assert.Equal("error", json["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", json["error"]!["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(json["error"]!["message"]!.GetValue<string>()));
        if (param is not null)
        {
            Assert.Contains(param, json["error"]!["message"]!.GetValue<string>());
        }
    }
}
