using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>One problem in one policy file, located so an editor can jump to it.</summary>
public sealed record PolicyError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>Start-up with an invalid policy set fails with every problem listed, not just the first.</summary>
public sealed class PolicyValidationException(IReadOnlyList<PolicyError> errors)
    : Exception("Invalid tenant policies:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}
