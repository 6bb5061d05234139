using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Tests.Ensembles;

public sealed class ExpertCallResultTests
{
    private static readonly ExpertDefinition Expert = new() { Id = "e", InputUsdPerMTok = 1_000_000, OutputUsdPerMTok = 2_000_000 };

    [Fact]
    public void CostUsd_CacheHit_IsFreeButKeepsItsStoredUsage()
    {
        var paid = new ExpertCallResult(Expert, ExpertCallStatus.Ok, "42", 3, 4, null, TimeSpan.Zero);
        var cached = paid with { Cached = true };

        Assert.Equal(3 + 8, paid.CostUsd);
        Assert.Equal(0, cached.CostUsd);
        Assert.Equal((3, 4), (cached.PromptTokens, cached.CompletionTokens));
    }

    [Theory]
    [InlineData(ExpertCallStatus.Ok, false, false, 0, null, "ok")]
    [InlineData(ExpertCallStatus.Ok, false, false, 1, null, "ok(retried 1)")]
    [InlineData(ExpertCallStatus.Ok, true, true, 0, null, "cached")]
    [InlineData(ExpertCallStatus.Ok, false, true, 0, null, "streamed")]
    [InlineData(ExpertCallStatus.TimedOut, false, false, 0, "call timeout", "timeout")]
    [InlineData(ExpertCallStatus.Skipped, false, false, 0, "circuit-open", "skipped(circuit-open)")]
    [InlineData(ExpertCallStatus.Failed, false, false, 1, "HTTP 503", "failed(HTTP 503)")]
    public void StatusText_SaysHowTheCallEnded(ExpertCallStatus status, bool cached, bool streamed, int retries, string? error, string expected)
    {
        var result = new ExpertCallResult(Expert, status, "", 0, 0, error, TimeSpan.Zero) { Cached = cached, Streamed = streamed, Retries = retries };

        Assert.Equal(expected, result.StatusText);
        Assert.Equal(status == ExpertCallStatus.Ok, result.Succeeded);
    }
}
