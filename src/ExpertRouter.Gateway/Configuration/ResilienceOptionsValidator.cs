using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>Adds every resilience problem (gateway defaults and each expert's own timeouts) to the start-up list.</summary>
internal static class ResilienceOptionsValidator
{
    public static void Collect(GatewayOptions options, List<string> errors)
    {
        const string path = "ExpertRouter:Resilience";
        var resilience = options.Resilience;
        errors.AddRange(resilience.DefaultTimeouts.Problems($"{path}:DefaultTimeouts"));
        for (var i = 0; i < options.Experts.Count; i++)
        {
            if (options.Experts[i].Timeouts is { } timeouts)
            {
                errors.AddRange(timeouts.Problems($"ExpertRouter:Experts:{i}:Timeouts"));
                errors.AddRange(timeouts.Or(resilience.DefaultTimeouts).Problems($"ExpertRouter:Experts:{i}:Timeouts (with defaults)")
                    .Where(problem => problem.Contains("must not exceed", StringComparison.Ordinal)));
            }
        }

        Check(resilience.RetriesPerExpert is >= 0 and <= 10, $"{path}:RetriesPerExpert: must be between 0 and 10.", errors);
        Check(resilience.RetryBaseDelayMs is >= 0, $"{path}:RetryBaseDelayMs: must not be negative.", errors);
        Check(resilience.RetryMaxDelayMs >= resilience.RetryBaseDelayMs, $"{path}:RetryMaxDelayMs: must be at least RetryBaseDelayMs.", errors);
        Check(resilience.MaxRetryAfterSeconds is >= 0 and <= 300, $"{path}:MaxRetryAfterSeconds: must be between 0 and 300.", errors);
        var breaker = resilience.CircuitBreaker;
        Check(breaker.FailureRatio is > 0 and <= 1, $"{path}:CircuitBreaker:FailureRatio: must be more than 0 and at most 1.", errors);
        Check(breaker.MinimumThroughput >= 1, $"{path}:CircuitBreaker:MinimumThroughput: must be at least 1.", errors);
        Check(breaker.SamplingSeconds > 0, $"{path}:CircuitBreaker:SamplingSeconds: must be positive.", errors);
        Check(breaker.BreakSeconds > 0, $"{path}:CircuitBreaker:BreakSeconds: must be positive.", errors);
        var active = resilience.ActiveHealthCheck;
        Check(active.IntervalSeconds > 0, $"{path}:ActiveHealthCheck:IntervalSeconds: must be positive.", errors);
        Check(active.TimeoutSeconds > 0, $"{path}:ActiveHealthCheck:TimeoutSeconds: must be positive.", errors);
        Check(active.Path.StartsWith('/'), $"{path}:ActiveHealthCheck:Path: must start with '/'.", errors);
    }

    private static void Check(bool valid, string error, List<string> errors)
    {
        if (!valid)
        {
            errors.Add(error);
        }
    }
}
