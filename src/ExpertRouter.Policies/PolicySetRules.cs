using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>Checks that span files: ids and key hashes are unique, and named experts exist when the catalogue is known.</summary>
internal static class PolicySetRules
{
    /// <summary>Problems <paramref name="candidate"/> has against the policies already accepted from other files.</summary>
    public static List<PolicyError> Check(ParsedPolicy candidate, IEnumerable<ParsedPolicy> others, PolicyDirectoryOptions options)
    {
        var errors = new List<PolicyError>();
        foreach (var other in others)
        {
            if (string.Equals(other.File, candidate.File, StringComparison.Ordinal))
            {
                continue;
            }

            if (string.Equals(other.Policy.Id, candidate.Policy.Id, StringComparison.Ordinal))
            {
                errors.Add(new PolicyError(candidate.File, candidate.IdLine, 1, $"Tenant id '{candidate.Policy.Id}' is already defined in {Path.GetFileName(other.File)}."));
            }

            foreach (var (hash, line) in candidate.KeyLines)
            {
                if (other.KeyLines.ContainsKey(hash))
                {
                    errors.Add(new PolicyError(candidate.File, line, 1, $"This API key hash already belongs to tenant '{other.Policy.Id}'."));
                }
            }
        }

        if (options.KnownRouters is { } routers && !routers.Contains(candidate.Policy.Router))
        {
            errors.Add(new PolicyError(candidate.File, candidate.IdLine, 1, $"Router '{candidate.Policy.Router}' is not registered (known: {string.Join(", ", routers.Order(StringComparer.Ordinal))})."));
        }

        if (options.KnownRouters is { } known && candidate.Policy.ShadowRouter is { } shadow && !known.Contains(shadow))
        {
            errors.Add(new PolicyError(candidate.File, candidate.IdLine, 1, $"Shadow router '{shadow}' is not registered."));
        }

        if (options.KnownExperts is { } knownExperts)
        {
            var policy = candidate.Policy;
            var named = policy.AllowedExperts.Concat(policy.DeniedExperts).Concat(policy.FallbackChain).Concat(policy.Budget.DowngradeExperts)
                .Concat(policy.Exploration.Experts).Concat(policy.Exploration.Judge is { } judge ? [judge] : []);
            foreach (var expert in named.Distinct(StringComparer.Ordinal).Where(e => !knownExperts.Contains(e)))
            {
                errors.Add(new PolicyError(candidate.File, candidate.IdLine, 1, $"Expert '{expert}' is not in the expert catalogue."));
            }
        }

        return errors;
    }
}
