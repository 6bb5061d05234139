namespace ExpertRouter.Core.Experts;

/// <summary>Whether an expert's quotas hold for the expert as a whole or for each of its base URLs.</summary>
public enum CapacityScope
{
    /// <summary>One quota for the expert, whichever base URL serves it (a provider's per-model limits).</summary>
    Expert,

    /// <summary>A quota per base URL (a self-hosted replica that saturates on its own); the expert's total is their sum.</summary>
    BaseUrl,
}

/// <summary>
/// What an expert can take: requests and tokens per fixed UTC minute and requests in flight. Tokens count the
/// prompt plus the expected output when a call starts and are settled with the usage the expert reports. Unset
/// limits do not apply; an expert with none set is limited only by what its provider's headers say.
/// </summary>
public sealed record ExpertCapacity
{
    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    public int? MaxConcurrency { get; init; }

    public CapacityScope Scope { get; init; } = CapacityScope.Expert;

    public bool HasLimits => RequestsPerMinute is not null || TokensPerMinute is not null || MaxConcurrency is not null;

    /// <summary>Every problem with the values, each prefixed by <paramref name="path"/>.</summary>
    public IEnumerable<string> Problems(string path)
    {
        foreach (var (name, value) in new[] { ("RequestsPerMinute", RequestsPerMinute), ("TokensPerMinute", TokensPerMinute), ("MaxConcurrency", MaxConcurrency) })
        {
            if (value is <= 0)
            {
                yield return $"{path}:{name}: must be positive when set (was {value}).";
            }
        }

        if (!Enum.IsDefined(Scope))
        {
            yield return $"{path}:Scope: must be Expert or BaseUrl.";
        }
    }
}
