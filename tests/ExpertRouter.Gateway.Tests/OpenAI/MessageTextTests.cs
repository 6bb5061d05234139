using System.Text;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Tests.OpenAI;

/// <summary>How the parser measures each message's text without building it, and decodes the prompt only when read.</summary>
public sealed class MessageTextTests
{
    private static (OpenAIRequest? Request, Core.OpenAI.ApiError? Error) Chat(string json) =>
        OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.ChatCompletions);

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("line\\nbreak\\ttab \\\" quote \\\\ backslash \\/ slash \\b\\f\\r")]
    [InlineData("\\u00e9\\u0041 mixed \u00e9 raw and \\u20AC escaped")]
    [InlineData("pair \\ud83d\\ude00 and raw \ud83d\ude00 and \\uD83D\\uDE00 upper")]
    [InlineData("\\u0000\\u001f controls")]
    [InlineData("ends in an escape\\n")]
    [InlineData("\\ud83d\\ude00")]
    public void Utf16Length_CountsTheEscapedBytes_AsTheDecodedStringsLength(string escaped)
    {
        var element = System.Text.Json.JsonDocument.Parse($"\"{escaped}\"").RootElement;

        Assert.Equal(element.GetString()!.Length, OpenAIRequestParser.Utf16Length(element));
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("a\\udc00b")]
    [InlineData("\\ud83d x \\ude00")]
    [InlineData("\\ud83d\\ud83d\\ude00")]
    [InlineData("\\ud83d\\n")]
    [InlineData("\\ud83d\\u0041")]
    public void Utf16Length_EscapedLoneSurrogate_IsNull_AndAnyMessageHoldingOneIsRefused(string escaped)
    {
        var element = System.Text.Json.JsonDocument.Parse($"\"{escaped}\"").RootElement;

        Assert.Null(OpenAIRequestParser.Utf16Length(element));
        Assert.Throws<InvalidOperationException>(() => element.GetString());
        var (request, error) = Chat($$"""{"model":"m","messages":[{"role":"system","content":"{{escaped}}"},{"role":"user","content":"fine"}]}""");
        Assert.Null(request);
        Assert.Equal("invalid_encoding", error!.Code);
    }

    [Fact]
    public void Parse_Chat_DecodesThePromptOnceWhenFirstRead()
    {
        // A request that names its expert never needs its prompt as a string; a long one would be built for nothing.
        var (request, _) = Chat("""{"model":"m","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":"a\nlong \u00e9 prompt"}]}""");
        var conversation = (BodyConversation)request!.Conversation!;

        var prompt = request.Prompt;

        Assert.Equal("a\nlong \u00e9 prompt", prompt);
        Assert.Same(prompt, request.Prompt);
        Assert.Same(prompt, conversation.LastUserText);
        Assert.Same(prompt, (request with { Stream = true }).Prompt);
    }

    [Fact]
    public void Parse_Chat_WithoutAUserMessage_HasAnEmptyPrompt()
    {
        var (request, _) = Chat("""{"model":"m","messages":[{"role":"system","content":"only instructions"}]}""");

        Assert.Equal("", request!.Prompt);
        Assert.Equal("only instructions", request.Conversation!.TextAt(0));
    }
}
