namespace ExpertRouter.Gateway.OpenAI;

/// <summary>The headers the gateway adds to its answers (and the request id it also reads).</summary>
public static class GatewayHeaders
{
    /// <summary>Kept from the client when it sends a sane one, else made up; forwarded to the expert.</summary>
    public const string RequestId = "x-request-id";

    /// <summary>Who answered.</summary>
    public const string Expert = "x-expertrouter-expert";

    /// <summary>Which router decided (<c>direct</c> when the client named the expert).</summary>
    public const string Router = "x-expertrouter-router";

    /// <summary>The answering expert's predicted probability of answering well, with a learned router.</summary>
    public const string PredictedQuality = "x-expertrouter-predicted-quality";

    /// <summary>Experts tried before the one that answered, and why each was left: <c>expert;reason,…</c>.</summary>
    public const string Fallbacks = "x-expertrouter-fallbacks";

    /// <summary><c>hit</c>, <c>semantic-hit</c>, <c>miss</c> or <c>bypass</c>.</summary>
    public const string Cache = "x-expertrouter-cache";

    /// <summary><c>downgraded</c> when a spent soft budget sent the request to a downgrade expert.</summary>
    public const string Budget = "x-expertrouter-budget";
}
