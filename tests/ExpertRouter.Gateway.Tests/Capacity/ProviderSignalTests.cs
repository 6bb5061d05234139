using System.Net;
using ExpertRouter.Gateway.Capacity;

namespace ExpertRouter.Gateway.Tests.Capacity;

public sealed class ProviderSignalTests
{
    [Theory]
    [InlineData("1s", 1_000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("1m30.5s", 90_500)]
    [InlineData("20ms", 20)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2", 2_000)]
    [InlineData("0.25", 250)]
    public void TryParseDuration_ProviderForms_Parse(string text, double milliseconds)
    {
        Assert.True(ProviderSignal.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    [InlineData("s")]
    public void TryParseDuration_Nonsense_IsRejected(string text) => Assert.False(ProviderSignal.TryParseDuration(text, out _));

    [Fact]
    public void Read_PlainAnswerWithoutRateHeaders_IsNull()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);

        Assert.Null(ProviderSignal.Read(response.Headers, 200, null));
    }

    [Fact]
    public void Block_429WithoutHints_WaitsTheBackoff()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        var signal = ProviderSignal.Read(response.Headers, 429, null)!.Value;

        Assert.Equal(TimeSpan.FromSeconds(1), signal.Block(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Block_429WithRetryAfterMs_PrefersIt()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after-ms", "1500");

        var signal = ProviderSignal.Read(response.Headers, 429, TimeSpan.FromSeconds(2))!.Value;

        Assert.Equal(TimeSpan.FromMilliseconds(1500), signal.Block(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Block_SuccessWithRequestsLeft_IsNone()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "12");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "1s");

        var signal = ProviderSignal.Read(response.Headers, 200, null)!.Value;

        Assert.Equal(12, signal.RequestsLeft);
        Assert.Null(signal.Block(TimeSpan.FromSeconds(1)));
    }
}
