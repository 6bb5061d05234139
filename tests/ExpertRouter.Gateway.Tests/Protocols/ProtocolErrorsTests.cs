using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class ProtocolErrorsTests
{
    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(504, "api_error")]
    [InlineData(529, "overloaded_error")]
    public void AnthropicTypeOf_Status_IsAnthropicsType(int status, string type)
    {
        Assert.Equal(type, AnthropicErrors.TypeOf(new ApiError(status, "m", "whatever")));
    }

    [Fact]
    public void AnthropicFromUpstream_OpenAIEnvelope_KeepsTheMessageInAnthropicsShape()
    {
        var body = Utf8("""{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}""");

        var json = Json(AnthropicErrors.FromUpstream(429, body));

        Assert.Equal("""{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached for gpt-4o"}}""", json.ToJsonString());
    }

    [Fact]
    public void UpstreamFromResponse_NotJson_NamesTheStatus()
    {
        var error = UpstreamErrors.FromResponse(502, Utf8("<html>Bad gateway</html>"));

        Assert.Equal(502, error.StatusCode);
        Assert.Contains("502", error.Message);
        Assert.Equal("api_error", AnthropicErrors.TypeOf(error));
    }

    [Fact]
    public void UpstreamFromResponse_Envelope_KeepsItsFields()
    {
        var error = UpstreamErrors.FromResponse(400, Utf8("""{"error":{"message":"context too long","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""));

        Assert.Equal(new ApiError(400, "context too long", "invalid_request_error", "messages", "context_length_exceeded"), error);
    }

    [Theory]
    [InlineData(429, "rate_limit_exceeded")]
    [InlineData(500, "server_error")]
    [InlineData(504, "server_error")]
    public void ResponsesFailureCode_IsOneTheApiDefines(int status, string code)
    {
        Assert.Equal(code, ResponsesErrors.FailureCode(new ApiError(status, "m", "t")));
    }

    [Fact]
    public void AnthropicHeaders_ApiKey_FromXApiKeyElseBearer()
    {
        var withKey = new HeaderDictionary { ["x-api-key"] = "sk-ant-1", ["Authorization"] = "Bearer other" };
        var withBearer = new HeaderDictionary { ["Authorization"] = "Bearer sk-2" };

        Assert.Equal("sk-ant-1", AnthropicHeaders.ApiKey(withKey));
        Assert.Equal("sk-2", AnthropicHeaders.ApiKey(withBearer));
        Assert.Null(AnthropicHeaders.ApiKey(new HeaderDictionary()));
    }

    [Fact]
    public void AnthropicHeaders_MissingVersion_Is400()
    {
        Assert.Equal(400, AnthropicHeaders.RequireVersion(new HeaderDictionary())!.StatusCode);
        Assert.Null(AnthropicHeaders.RequireVersion(new HeaderDictionary { ["anthropic-version"] = "2023-06-01" }));
    }

    [Theory]
    [InlineData("get_weather", "get_weather")]
    [InlineData("a-b_C9", "a-b_C9")]
    public void ToolNameMap_FittingName_PassesUnchanged(string name, string expected)
    {
        var map = new ToolNameMap();

        Assert.Equal(expected, map.Add(name));
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void ToolNameMap_UnfitName_GetsAStableStandInThatMapsBack()
    {
        var first = new ToolNameMap();
        var second = new ToolNameMap();
        var name = "server.tool:" + new string('n', 80);

        var standIn = first.Add(name);

        Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", standIn);
        Assert.Equal(standIn, second.Add(name));
        Assert.Equal(name, first.ToClient(standIn));
        Assert.Equal(standIn, first.ToExpert(name));
        Assert.Equal("unknown", first.ToClient("unknown"));
    }
}
