using System.Text;
using ExpertRouter.Gateway.Protocols;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>An expert's chat answer as the translators read it: malformed shapes are the expert's fault, a 502.</summary>
public sealed class ChatCompletionReaderTests
{
    [Theory]
    [InlineData("""{"choices":[]}""", "has no choices")]
    [InlineData("""{"choices":"none"}""", "has no choices")]
    [InlineData("""{"choices":[1]}""", "not an object")]
    [InlineData("""{"choices":[null]}""", "not an object")]
    public void AMalformedAnswer_IsABadGateway(string body, string reason)
    {
        var result = ChatCompletionReader.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal(502, result.Error?.StatusCode);
        Assert.Contains(reason, result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnswer_IsReadInOnePass_WithItsUsage()
    {
        var result = ChatCompletionReader.Read(Encoding.UTF8.GetBytes(
            """{"model":"m","choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"Paris"}}],"usage":{"prompt_tokens":7,"completion_tokens":2}}"""));

        Assert.Null(result.Error);
        Assert.Equal(("m", "Paris", "stop"), (result.Value!.Model, result.Value.Text, result.Value.FinishReason));
        Assert.Equal((7, 2), (result.Value.Usage!.InputTokens, result.Value.Usage.OutputTokens));
    }
}
