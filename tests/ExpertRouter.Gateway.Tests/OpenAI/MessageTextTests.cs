using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Tests.OpenAI;

/// <summary>How the parser measures each message's text without building it, and decodes the prompt only when read.</summary>
public sealed class MessageTextTests
{
    private static (OpenAIRequest? Request, Core.OpenAI.ApiError? Error) Chat(string json) => OpenAIRequestParserTests.Chat(json);

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("line\\nbreak\\ttab \\\" quote \\\\ backslash \\/ slash \\b\\f\\r")]
    [InlineData("\\u00e9\\u0041 mixed \u00e9 raw and \\u20AC escaped")]
    [InlineData("pair \\ud83d\\ude00 and raw \ud83d\ude00 and \\uD83D\\uDE00 upper")]
    [InlineData("\\u0000\\u001f controls")]
    [InlineData("ends in an escape\\n")]
    [InlineData("\\ud83d\\ude00")]
    public void Utf16LengthAndUnescape_OverTheEscapedBytes_GiveTheDecodedString(string escaped)
    {
        var element = System.Text.Json.JsonDocument.Parse($"\"{escaped}\"").RootElement;
        var expected = element.GetString()!;
        var destination = new char[expected.Length + 8];

        Assert.Equal(expected.Length, EscapedJsonString.Utf16Length(Encoding.UTF8.GetBytes(escaped)));
        var written = EscapedJsonString.Unescape(Encoding.UTF8.GetBytes(escaped), destination);
        Assert.Equal(expected, new string(destination, 0, written));
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

        Assert.Null(EscapedJsonString.Utf16Length(Encoding.UTF8.GetBytes(escaped)));
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
    [Fact]
    public void LongMessage_TheEndsAReaderAsksFor_AreUnescapedWithoutBuildingTheWhole()
    {
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i} \"quoted\" caf\u00e9 \ud83d\ude00\n"));
        var body = JsonSerializer.Serialize(new { model = "m", messages = new object[] { new { role = "user", content = text }, new { role = "assistant", content = "ok" } } });
        Assert.Contains("\\u00E9", body, StringComparison.OrdinalIgnoreCase);
        var (request, _) = Chat(body);
        var conversation = request!.Conversation!;

        foreach (var (head, tail) in new[] { (0, 100), (100, 0), (37, 41), (1, 1), (text.Length / 2, text.Length / 2), (text.Length, 0), (text.Length / 2, (text.Length / 2) + 1) })
        {
            var ends = conversation.TextAt(0, head, tail);

            var expected = head + tail >= text.Length ? text : string.Concat(text.AsSpan(0, head), text.AsSpan(text.Length - tail));
            Assert.Equal(expected, ends.Text);
            Assert.Equal(text.Length, ends.Length);
            Assert.Equal(head + tail >= text.Length, ends.IsWhole);
        }

        // Once the prompt is built, it is what the ends come from.
        Assert.Equal(text, request.Prompt);
        Assert.Same(request.Prompt, conversation.TextAt(0, 10, 10).Text);
    }

    [Fact]
    public void ShippedReadingPolicy_OverTheRequestsBytes_ReadsWhatItReadsOverTheDecodedText()
    {
        var policy = new ReadingPolicy { MaxTokens = 128, Truncate = ReadingPolicy.HeadAndTail };
        var reader = new PromptReader(policy, maxChars: 6000);
        foreach (var words in new[] { 10, 200, 1000, 3000 })
        {
            var text = string.Join(' ', Enumerable.Range(0, words).Select(i => i % 7 == 0 ? $"w\u00f6rd{i}\n" : $"word{i}"));
            var body = JsonSerializer.Serialize(new { model = "auto", messages = new object[] { new { role = "system", content = "be brief" }, new { role = "user", content = text } } });
            var (request, _) = Chat(body);

            var fromBytes = reader.ReadInPlace(new RoutingQuery(request!.Conversation!).Messages);
            var fromText = reader.ReadInPlace(new ConversationMessages([(ConversationRole.System, "be brief"), (ConversationRole.User, text)]));

            Assert.Equal(fromText.ToString(), fromBytes.ToString());
            Assert.Equal(fromText.IsCut, fromBytes.IsCut);
            Assert.Equal(text, new RoutingQuery(request.Conversation!).Prompt);
        }
    }
}
