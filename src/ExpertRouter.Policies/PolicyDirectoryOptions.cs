using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

public sealed record PolicyDirectoryOptions
{
    /// <summary>Folder holding one <c>*.yaml</c> policy per tenant (a Kubernetes ConfigMap mount works as is).</summary>
    public string Directory { get; init; } = "policies";

    /// <summary>When set, experts named by a policy must be in this set.</summary>
    public IReadOnlySet<string>? KnownExperts { get; init; }

    /// <summary>When set, a policy's router must be one of these.</summary>
    public IReadOnlySet<string>? KnownRouters { get; init; }

    /// <summary>Re-reads the folder this often even without change events (network and overlay mounts miss them).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Editors write a file in several steps; reload once the events have settled.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>A file whose latest content was refused; the tenant keeps its last good policy, if it had one.</summary>
public sealed record PolicyRejection(string File, IReadOnlyList<PolicyError> Errors, DateTimeOffset RejectedAt, string? KeptTenantId);

/// <summary>What one reload changed.</summary>
public sealed record PolicyReloadResult(
    IReadOnlyList<string> Accepted,
    IReadOnlyList<PolicyRejection> Rejected,
    IReadOnlyList<string> Removed)
{
    public bool Changed => Accepted.Count + Rejected.Count + Removed.Count > 0;
}
