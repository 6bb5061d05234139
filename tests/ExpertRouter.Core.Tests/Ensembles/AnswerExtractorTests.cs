using ExpertRouter.Core.Ensembles;

namespace ExpertRouter.Core.Tests.Ensembles;

public sealed class AnswerExtractorTests
{
    private readonly JsonAnswerExtractor _json = new();

    [Theory]
    [InlineData("Sure.\n```json\n{\n  \"reasoning\": \"80k + 50k\",\n  \"answer\": \"$70,000\"\n}\n```", "70000")]
    [InlineData("{\"reasoning\": \"x\", \"answer\": 18}", "18")]
    [InlineData("{\"reasoning\": \"x\", \"answer\": \"'abc'\"}", "abc")]
    [InlineData("{\"note\": 1} then {\"answer\": \"True\"}", "True")]
    [InlineData("broken json \"answer\": \"12.50\" and more", "12.5")]
    public void JsonAnswer_FindsTheAnswerAndNormalisesIt(string response, string expected) =>
        Assert.Equal(expected, _json.Extract(response));

    [Fact]
    public void JsonAnswer_NoAnswer_IsNull() => Assert.Null(_json.Extract("I think it is probably forty-two."));

    [Theory]
    [InlineData("Reasoning... The answer is (H).\n\nQuestion: next one. The answer is (B).", "H")]
    [InlineData("so the answer is C.", "C")]
    [InlineData("Answer: (d)\n", null)]
    [InlineData("Answer: D", "D")]
    [InlineData("no letter here", null)]
    public void MmluLetter_FirstAnswerCounts(string response, string? expected) =>
        Assert.Equal(expected, new MmluLetterExtractor().Extract(response));

    [Theory]
    [InlineData("3 apples and 5 more make 8", "8")]
    [InlineData("Total: $1,250.00.", "1250")]
    [InlineData("it drops to -4", "-4")]
    [InlineData("none", null)]
    public void LastNumber_TakesTheLastNumber(string response, string? expected) =>
        Assert.Equal(expected, new LastNumberExtractor().Extract(response));

    [Fact]
    public void Registry_KnowsEveryBuiltInByName()
    {
        Assert.True(AnswerExtractors.TryGet("json-answer", out var json));
        Assert.True(AnswerExtractors.TryGet("mmlu-letter", out _));
        Assert.True(AnswerExtractors.TryGet("last-number", out _));
        Assert.False(AnswerExtractors.TryGet("nope", out _));
        Assert.Equal(AnswerExtractors.Default, json.Name);
    }
}
