namespace ExpertRouter.Simulation;

/// <summary>
/// One fault to inject. <see cref="Kind"/> is one of <c>status</c>, <c>delay</c>, <c>reset</c>, <c>midstream-cut</c>,
/// <c>slow-stream</c>. A rule fires on every matching request unless <see cref="Probability"/> or
/// <see cref="EveryNth"/> says otherwise; the first rule that fires wins.
/// </summary>
public sealed record FaultRule
{
    /// <summary>The model id this rule applies to, or <c>*</c> for every model.</summary>
    public string Model { get; init; } = "*";

    public string Kind { get; init; } = "";

    /// <summary>For <c>status</c>: the HTTP status code to answer.</summary>
    public int StatusCode { get; init; } = 500;

    /// <summary>For <c>status</c>: a Retry-After header, in seconds.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>For <c>status</c>: the raw response body; an OpenAI error envelope when null.</summary>
    public string? Body { get; init; }

    /// <summary>For <c>delay</c>: milliseconds before the first byte. For <c>slow-stream</c>: milliseconds per token.</summary>
    public int DelayMs { get; init; } = 1000;

    /// <summary>For <c>midstream-cut</c>: how many SSE events are sent before the connection is aborted.</summary>
    public int AfterChunks { get; init; } = 2;

    /// <summary>Chance in [0, 1] that a matching request is hit, drawn from the seeded random source.</summary>
    public double? Probability { get; init; }

    /// <summary>Hit every n-th matching request (the n-th, 2n-th, ...).</summary>
    public int? EveryNth { get; init; }

    internal void CollectProblems(string path, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            problems.Add($"{path}:Model must be a model id or '*'.");
        }

        if (!FaultKinds.TryParse(Kind, out var kind))
        {
            problems.Add($"{path}:Kind '{Kind}' is not one of {FaultKinds.Names}.");
        }

        if (kind == FaultKind.Status && StatusCode is < 100 or > 599)
        {
            problems.Add($"{path}:StatusCode must be an HTTP status code (was {StatusCode}).");
        }

        if (RetryAfterSeconds is < 0)
        {
            problems.Add($"{path}:RetryAfterSeconds must not be negative (was {RetryAfterSeconds}).");
        }

        if (DelayMs < 0)
        {
            problems.Add($"{path}:DelayMs must not be negative (was {DelayMs}).");
        }

        if (AfterChunks < 0)
        {
            problems.Add($"{path}:AfterChunks must not be negative (was {AfterChunks}).");
        }

        if (Probability is { } p && (double.IsNaN(p) || p < 0 || p > 1))
        {
            problems.Add($"{path}:Probability must be between 0 and 1 (was {p}).");
        }

        if (EveryNth is < 1)
        {
            problems.Add($"{path}:EveryNth must be at least 1 (was {EveryNth}).");
        }

        if (Probability is not null && EveryNth is not null)
        {
            problems.Add($"{path}: set Probability or EveryNth, not both.");
        }
    }
}
