namespace ExpertRouter.Soak;

internal sealed record SoakSettings(Uri BaseUrl, int GatewayPid, TimeSpan Duration, TimeSpan Window, int Concurrency, int Seed);

/// <summary>One window's numbers: latency percentiles over completed requests and the gateway's RSS at its end.</summary>
internal sealed record SoakWindow(int Index, int Requests, int ServerErrors, int ClientErrors, int Failures, double P50Ms, double P99Ms, double RssMiB);
