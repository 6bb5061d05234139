using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Tests.Configuration;

public sealed class ResilienceOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        var errors = new List<string>();

        ResilienceOptionsValidator.Collect(new GatewayOptions(), errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void BadValues_AreAllReportedAtOnce()
    {
        var options = new GatewayOptions
        {
            Experts = [new ExpertDefinition { Id = "a", Timeouts = new ExpertTimeouts { ConnectSeconds = 0, FirstTokenSeconds = 30, TotalSeconds = 10 } }],
            Resilience = new ResilienceOptions
            {
                RetriesPerExpert = -1,
                MaxRetryAfterSeconds = 1_000,
                CircuitBreaker = new CircuitBreakerOptions { FailureRatio = 1.5, MinimumThroughput = 0, BreakSeconds = 0 },
                ActiveHealthCheck = new ActiveHealthCheckOptions { Path = "models" },
            },
        };
        var errors = new List<string>();

        ResilienceOptionsValidator.Collect(options, errors);

        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:Experts:0:Timeouts:ConnectSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FirstTokenSeconds (30) must not exceed TotalSeconds (10)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("RetriesPerExpert", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxRetryAfterSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FailureRatio", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MinimumThroughput", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BreakSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ActiveHealthCheck:Path", StringComparison.Ordinal));
    }

    [Fact]
    public void TimeoutTable_ExpertValuesOverrideDefaults()
    {
        var table = new ExpertTimeoutTable(
            [new ExpertDefinition { Id = "a", Timeouts = new ExpertTimeouts { FirstTokenSeconds = 2 } }, new ExpertDefinition { Id = "b" }],
            new ExpertTimeouts { ConnectSeconds = 1, FirstTokenSeconds = 10, TotalSeconds = 60 });

        Assert.Equal(new AttemptLimits(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60)), table.For("a"));
        Assert.Equal(new AttemptLimits(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)), table.For("b"));
    }
}
