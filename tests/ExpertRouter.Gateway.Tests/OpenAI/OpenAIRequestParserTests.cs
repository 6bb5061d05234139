using System.Text;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;

namespace ExpertRouter.Gateway.Tests.OpenAI;

public sealed class OpenAIRequestParserTests
{
    internal static (OpenAIRequest? Request, Core.OpenAI.ApiError? Error) Chat(string json) =>
        OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.ChatCompletions);

    [Fact]
    public void Parse_ValidChat_ExtractsModelPromptAndModelTokenRange()
    {
        const string json = """{"model":"auto","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"What is 2+2?"}],"stream":true}""";

        var (request, error) = Chat(json);

        Assert.Null(error);
        Assert.Equal("auto", request!.Model);
        Assert.Equal("What is 2+2?", request.Prompt);
        Assert.True(request.Stream);
        Assert.Equal("\"auto\"", json[request.ModelToken]);
        Assert.Equal((8 + 12 + 3) / 4, request.PromptTokens);
    }

    [Theory]
    [InlineData("plain ascii text")]
    [InlineData("h\u00e9llo w\u00f6rld \ud83d\ude00")]
    [InlineData("quote \\\" and newline \\n and \\u00e9 escaped")]
    public void Parse_PromptTokens_CountUtf16CharactersOfEveryMessage(string content)
    {
        var json = $$"""{"model":"m","messages":[{"role":"user","content":"{{content}}"},{"role":"assistant","content":"{{content}}"}]}""";
        var expectedText = System.Text.Json.JsonDocument.Parse($"\"{content}\"").RootElement.GetString()!;

        var (request, error) = Chat(json);

        Assert.Null(error);
        Assert.Equal(expectedText, request!.Prompt);
        Assert.Equal(Core.Experts.TokenEstimate.FromCharacters(2 * expectedText.Length), request.PromptTokens);
    }

    [Theory]
    [InlineData(""","temperature":0""", true)]
    [InlineData(""","temperature":0.0""", true)]
    [InlineData(""","temperature":0.2""", false)]
    [InlineData(",\"temperature\":\"0\"", false)]
    [InlineData(""","temperature":null""", false)]
    [InlineData("", false)]
    public void Parse_TemperatureZero_IsDeterministic(string temperature, bool deterministic)
    {
        var (request, _) = Chat("""{"model":"m","messages":[{"role":"user","content":"hi"}]""" + temperature + "}");

        Assert.Equal(deterministic, request!.Deterministic);
    }

    [Fact]
    public void Parse_ContentParts_JoinsTextParts()
    {
        var (request, _) = Chat("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]}]}""");

        Assert.Equal("a\nb", request!.Prompt);
    }

    [Fact]
    public void Parse_Tools_AreDetected()
    {
        var (request, _) = Chat("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}]}""");

        Assert.True(request!.UsesTools);
    }

    [Theory]
    [InlineData("{", "invalid_json")]
    [InlineData("[]", "invalid_json")]
    [InlineData("", "invalid_json")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "missing_model")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"x"}]}""", "missing_model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"x"}]}""", "missing_model")]
    [InlineData("""{"model":"m"}""", "invalid_type")]
    [InlineData("""{"model":"m","messages":"hi"}""", "invalid_type")]
    [InlineData("""{"model":"m","messages":[]}""", "empty_array")]
    [InlineData("""{"model":"m","messages":[{"content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"wizard","content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""", "invalid_type")]
    [InlineData("""{"model":"m","messages":[1]}""", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}}""", "invalid_type")]
    [InlineData("""{"model":"cheap","model":"dear","messages":[{"role":"user","content":"x"}]}""", "duplicate_model")]
    [InlineData("""{"model":"m","temperature":0,"temperature":1,"messages":[{"role":"user","content":"x"}]}""", "duplicate_property")]
    [InlineData("""{"model":"m","messages":[{"role":"user","role":"system","content":"x"}]}""", "duplicate_property")]
    [InlineData("""{"model":"m","n":0,"messages":[{"role":"user","content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","n":"two","messages":[{"role":"user","content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a\ud800"}]}""", "invalid_encoding")]
    [InlineData("""{"model":"\udc00","messages":[{"role":"user","content":"x"}]}""", "invalid_encoding")]
    public void Parse_BadChat_Returns400WithCode(string json, string code)
    {
        var (request, error) = Chat(json);

        Assert.Null(request);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Equal("invalid_request_error", error.Type);
    }

    [Fact]
    public void Parse_InvalidUtf8_Returns400()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"x"}]}""");
        body[^5] = 0xFF;

        var (_, error) = OpenAIRequestParser.Parse(body, OpenAIEndpoint.ChatCompletions);

        Assert.Equal("invalid_encoding", error!.Code);
    }

    [Fact]
    public void Parse_DeeplyNestedJson_Returns400NotException()
    {
        var json = """{"model":"m","messages":[{"role":"user","content":"x"}],"extra":""" + new string('[', 5000) + new string(']', 5000) + "}";

        var (_, error) = Chat(json);

        Assert.Equal("invalid_json", error!.Code);
    }

    [Theory]
    [InlineData("""{"model":"e","input":"hello"}""", "hello")]
    [InlineData("""{"model":"e","input":["a","b"]}""", "a\nb")]
    [InlineData("""{"model":"e","input":[1,2,3]}""", "")]
    public void Parse_Embeddings_AcceptsOpenAIInputShapes(string json, string prompt)
    {
        var (request, error) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.Embeddings);

        Assert.Null(error);
        Assert.Equal(prompt, request!.Prompt);
    }

    [Theory]
    [InlineData("""{"model":"e"}""")]
    [InlineData("""{"model":"e","input":[]}""")]
    [InlineData("""{"model":"e","input":5}""")]
    public void Parse_BadEmbeddings_Returns400(string json)
    {
        var (_, error) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.Embeddings);

        Assert.Equal(400, error!.StatusCode);
        Assert.Equal("input", error.Param);
    }

    [Fact]
    public void Parse_Chat_GivesTheConversation_EveryRoleAndText_DecodedFromTheBody()
    {
        const string json = """
            {"model":"auto","messages":[
              {"role":"developer","content":"be brief"},
              {"role":"user","content":"first \u00e9 \"quoted\""},
              {"role":"assistant","content":null,"tool_calls":[]},
              {"role":"tool","content":[{"type":"text","text":"42"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"done"}]},
              {"role":"user","content":"last question"}]}
            """;

        var (request, error) = Chat(json);

        Assert.Null(error);
        var conversation = request!.Conversation!;
        Assert.Equal(5, conversation.Count);
        Assert.Equal(
            [Core.Routing.ConversationRole.System, Core.Routing.ConversationRole.User, Core.Routing.ConversationRole.Assistant, Core.Routing.ConversationRole.Tool, Core.Routing.ConversationRole.User],
            Enumerable.Range(0, 5).Select(conversation.RoleAt));
        Assert.Equal(["be brief", "first \u00e9 \"quoted\"", "", "42\ndone", "last question"], Enumerable.Range(0, 5).Select(conversation.TextAt));
        Assert.Same(request.Prompt, conversation.TextAt(4));
    }

    [Fact]
    public void Parse_Embeddings_HasNoConversation()
    {
        var (request, _) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes("""{"model":"e","input":"text"}"""), OpenAIEndpoint.Embeddings);

        Assert.Null(request!.Conversation);
    }
}
