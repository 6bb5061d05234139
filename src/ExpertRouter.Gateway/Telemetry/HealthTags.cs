namespace ExpertRouter.Gateway.Telemetry;

/// <summary>Tags of the gateway's health checks.</summary>
public static class HealthTags
{
    /// <summary>Checks with this tag decide <c>/readyz</c>; <c>/healthz</c> only says the process is alive.</summary>
    public const string Ready = "ready";
}
