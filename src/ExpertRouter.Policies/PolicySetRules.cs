using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>
/// Checks beyond one file's YAML: the experts and router a policy names must exist (a file's own problem), and a
/// tenant id or key hash may belong to one file only (a clash between files, settled by <see cref="PolicyClaims"/>).
/// </summary>
internal static class PolicySetRules
{
    /// <summary>Problems of <paramref name="candidate"/> on its own, whatever the other files say.</summary>
    public static List<PolicyError> CheckOwn(ParsedPolicy candidate, PolicyDirectoryOptions options)
    {
        var errors = new List<PolicyError>();
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

    /// <summary>The claims of <paramref name="candidate"/> that files of higher precedence already hold.</summary>
    public static List<PolicyError> Clashes(ParsedPolicy candidate, IEnumerable<ParsedPolicy> holders)
    {
        var errors = new List<PolicyError>();
        foreach (var holder in holders)
        {
            if (string.Equals(holder.File, candidate.File, StringComparison.Ordinal))
            {
                continue;
            }

            var name = Path.GetFileName(holder.File);
            if (string.Equals(holder.Policy.Id, candidate.Policy.Id, StringComparison.Ordinal))
            {
                errors.Add(new PolicyError(candidate.File, candidate.IdLine, 1, $"Tenant id '{candidate.Policy.Id}' is already defined in {name}, which takes precedence ({PolicyClaims.Rule})."));
            }

            foreach (var (hash, line) in candidate.KeyLines)
            {
                if (holder.KeyLines.ContainsKey(hash))
                {
                    errors.Add(new PolicyError(candidate.File, line, 1, $"This API key hash already belongs to tenant '{holder.Policy.Id}' in {name}, which takes precedence ({PolicyClaims.Rule})."));
                }
            }
        }

        return errors;
    }
}
