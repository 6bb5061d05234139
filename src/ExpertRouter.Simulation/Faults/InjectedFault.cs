namespace ExpertRouter.Simulation;

/// <summary>The fault chosen for one request, resolved from a <see cref="FaultRule"/> or the override header.</summary>
internal sealed record InjectedFault(
    FaultKind Kind,
    int StatusCode = 500,
    int? RetryAfterSeconds = null,
    string? Body = null,
    int DelayMs = 1000,
    int AfterChunks = 2)
{
    public static InjectedFault FromRule(FaultRule rule)
    {
        FaultKinds.TryParse(rule.Kind, out var kind);
        return new InjectedFault(kind, rule.StatusCode, rule.RetryAfterSeconds, rule.Body, rule.DelayMs, rule.AfterChunks);
    }
}
