namespace ExpertRouter.Core.Experts;

/// <summary>One upstream model the gateway can send requests to, as configured.</summary>
public sealed record ExpertDefinition
{
    public string Id { get; init; } = "";

    /// <summary>OpenAI-style base URLs ending in <c>/v1</c>; several are load balanced.</summary>
    public IReadOnlyList<string> BaseUrls { get; init; } = [];

    /// <summary>Served by the embedded simulator instead of <see cref="BaseUrls"/>.</summary>
    public bool Simulated { get; init; }

    /// <summary>The model name the backend expects; the expert id when absent.</summary>
    public string? BackendModel { get; init; }

    /// <summary>Name of the environment variable that holds the upstream API key (never the key itself).</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    public double InputUsdPerMTok { get; init; }

    public double OutputUsdPerMTok { get; init; }

    /// <summary>Typical completion length, used to estimate a request's cost before it is sent.</summary>
    public int ExpectedOutputTokens { get; init; } = 256;

    public ExpertCapabilities Capabilities { get; init; } = new();

    /// <summary>Per-attempt time limits; unset values take the gateway's defaults.</summary>
    public ExpertTimeouts? Timeouts { get; init; }

    /// <summary>Quotas (requests and tokens per minute, concurrency) the gateway keeps the expert within; null: none.</summary>
    public ExpertCapacity? Capacity { get; init; }

    /// <summary>
    /// The client APIs the expert speaks natively (<see cref="ExpertApis"/>): a Responses or Messages request whose
    /// attempt lands here is passed through untranslated. Chat completions are always spoken, listed or not: chat
    /// requests, ensembles, background calls and fallbacks from other protocols use them.
    /// </summary>
    public IReadOnlyList<string> Apis { get; init; } = [];

    public string UpstreamModel => string.IsNullOrEmpty(BackendModel) ? Id : BackendModel;

    /// <summary>Whether <paramref name="api"/> (one of <see cref="ExpertApis"/>) is among <see cref="Apis"/>.</summary>
    public bool Speaks(string api)
    {
        foreach (var spoken in Apis)
        {
            if (string.Equals(spoken, api, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public double CostUsd(long promptTokens, long outputTokens) =>
        (promptTokens * InputUsdPerMTok + outputTokens * OutputUsdPerMTok) / 1e6;
}

public sealed record ExpertCapabilities
{
    public bool Chat { get; init; } = true;

    public bool Embeddings { get; init; }

    public bool Tools { get; init; } = true;

    /// <summary>Serves <c>n</c> &gt; 1 (several answers to one request); an expert that cannot is not asked for them.</summary>
    public bool MultipleChoices { get; init; } = true;

    public int ContextTokens { get; init; } = 128_000;
}
