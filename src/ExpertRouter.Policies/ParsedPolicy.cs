using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>A policy read from one file, with the lines the cross-file checks (duplicate ids and keys) point at.</summary>
public sealed record ParsedPolicy(TenantPolicy Policy, string File, int IdLine, IReadOnlyDictionary<string, int> KeyLines);

/// <summary>The outcome of reading one file: a policy, or every problem found in it.</summary>
public sealed record PolicyParseResult(ParsedPolicy? Parsed, IReadOnlyList<PolicyError> Errors)
{
    public bool Succeeded => Parsed is not null && Errors.Count == 0;
}
