namespace ExpertRouter.Gateway.Configuration;

/// <summary>The learning loop's settings, and the learning parts of inline tenants (policy files are checked by their reader).</summary>
internal static class LearningOptionsValidator
{
    public static void Collect(GatewayOptions options, IReadOnlyCollection<string> routerNames, IReadOnlySet<string> experts, List<string> errors)
    {
        var problems = new List<string>();
        options.RequestLog.CollectProblems(problems);
        options.Exploration.CollectProblems(problems);
        options.RouterReload.CollectProblems(problems);
        errors.AddRange(problems.Select(p => "ExpertRouter:" + p));
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var path = $"ExpertRouter:Tenants:{i}";
            if (tenant.ShadowRouter is { } shadow && !routerNames.Contains(shadow))
            {
                errors.Add($"{path}:ShadowRouter: unknown router '{shadow}'.");
            }

            var exploration = tenant.Exploration;
            if (exploration.Rate is < 0 or > 1)
            {
                errors.Add($"{path}:Exploration:Rate: must be between 0 and 1.");
            }

            if (exploration.Rate > 0 && (exploration.Judge is null || exploration.DailyBudgetUsd is not > 0 || exploration.MaxExperts is < 1 or > 8))
            {
                errors.Add($"{path}:Exploration: a rate needs a Judge, a positive DailyBudgetUsd and MaxExperts between 1 and 8.");
            }

            foreach (var expert in exploration.Experts.Append(exploration.Judge).OfType<string>().Where(e => !experts.Contains(e)))
            {
                errors.Add($"{path}:Exploration: names unknown expert '{expert}'.");
            }
        }
    }
}
