namespace ExpertRouter.Simulation;

/// <summary>The request headers the simulator reads, for callers that must know them (the gateway strips one on fallbacks).</summary>
public static class SimulatorHeaders
{
    /// <summary>A per-request fault override, e.g. <c>status;code=429;retry-after=2</c>.</summary>
    public const string Fault = "x-simulator-fault";
}
