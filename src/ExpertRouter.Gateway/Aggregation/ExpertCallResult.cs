using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Aggregation;

public enum ExpertCallStatus
{
    Ok,
    Failed,
    TimedOut,
}

/// <summary>What one role an expert played in an ensemble.</summary>
public enum ExpertRole
{
    Proposer,
    Judge,
    Aggregator,
    Verifier,
}

/// <summary>One expert call's outcome as a value: its text and usage, or why it failed. Cost counts either way.</summary>
public sealed record ExpertCallResult(
    ExpertDefinition Expert,
    ExpertCallStatus Status,
    string Content,
    int PromptTokens,
    int CompletionTokens,
    string? Error,
    TimeSpan Elapsed)
{
    public bool Succeeded => Status == ExpertCallStatus.Ok;

    /// <summary>Realised cost from the expert's reported usage; a failed call reports none and costs nothing.</summary>
    public double CostUsd => Expert.CostUsd(PromptTokens, CompletionTokens);

    public string StatusText => Status switch
    {
        ExpertCallStatus.Ok => "ok",
        ExpertCallStatus.TimedOut => "timeout",
        _ => "failed(" + Error + ")",
    };
}

/// <summary>A call made for an ensemble, with the role it played.</summary>
public sealed record EnsembleCall(ExpertRole Role, ExpertCallResult Result);
