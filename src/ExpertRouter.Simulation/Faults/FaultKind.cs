namespace ExpertRouter.Simulation;

internal enum FaultKind
{
    None,
    Status,
    Delay,
    Reset,
    MidstreamCut,
    SlowStream,
}

internal static class FaultKinds
{
    public const string Names = "status, delay, reset, midstream-cut, slow-stream";

    public static bool TryParse(string? text, out FaultKind kind)
    {
        kind = text?.Trim().ToLowerInvariant() switch
        {
            "status" => FaultKind.Status,
            "delay" => FaultKind.Delay,
            "reset" => FaultKind.Reset,
            "midstream-cut" or "midstreamcut" => FaultKind.MidstreamCut,
            "slow-stream" or "slowstream" => FaultKind.SlowStream,
            _ => FaultKind.None,
        };
        return kind != FaultKind.None;
    }
}
