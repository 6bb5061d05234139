namespace ExpertRouter.Policies;

/// <summary>
/// Settles which file holds a tenant id or key hash that several files claim. The rule reads only the folder as it
/// is (never which file was there first), so start-up and every reload, on every replica, reach the same answer:
/// a file named after its own tenant id (<c>&lt;id&gt;.yaml</c>, the name <c>expertrouter tenants add</c> writes)
/// comes before any other, then files go in ordinal path order. The first claimant keeps the claim; every later one
/// is rejected whole and reported, and the gateway keeps serving.
/// </summary>
internal static class PolicyClaims
{
    public const string Rule = "a file named after its tenant id first, then path order";

    /// <summary>
    /// The files (of <paramref name="claimants"/>: each file's current policy, or its last good one while its content
    /// is broken) that keep their policy, and the clash errors of the others, by file.
    /// </summary>
    public static (HashSet<string> Winners, Dictionary<string, List<PolicyError>> Losers) Settle(IEnumerable<ParsedPolicy> claimants)
    {
        var winners = new List<ParsedPolicy>();
        var won = new HashSet<string>(StringComparer.Ordinal);
        var losers = new Dictionary<string, List<PolicyError>>(StringComparer.Ordinal);
        foreach (var claimant in claimants.OrderBy(c => IsNamedAfterItsTenant(c) ? 0 : 1).ThenBy(c => c.File, StringComparer.Ordinal))
        {
            var clashes = PolicySetRules.Clashes(claimant, winners);
            if (clashes.Count == 0)
            {
                winners.Add(claimant);
                won.Add(claimant.File);
            }
            else
            {
                losers[claimant.File] = clashes;
            }
        }

        return (won, losers);
    }

    private static bool IsNamedAfterItsTenant(ParsedPolicy claimant) =>
        string.Equals(Path.GetFileNameWithoutExtension(claimant.File), claimant.Policy.Id, StringComparison.Ordinal);
}
