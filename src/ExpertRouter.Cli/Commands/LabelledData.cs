using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Whether training data is enough to train a router: enough prompts with an outcome of a pool expert, and enough
/// outcomes for every pool expert (one it never saw would get an ability from initialisation noise). A log of a few
/// hours, or a tenant that logs no prompt text, fails here with the numbers instead of training a meaningless router.
/// </summary>
internal static class LabelledData
{
    public const int MinPrompts = 20;
    public const int MinOutcomesPerExpert = 10;

    /// <param name="known">Experts a warm start already knows: they keep its ability and need no outcomes here.</param>
    public static IReadOnlyList<string> Problems(IReadOnlyList<RoutingRecord> records, IReadOnlyList<ExpertDefinition> experts, IReadOnlyCollection<string>? known = null)
    {
        var problems = new List<string>();
        var labelled = records.Count(r => experts.Any(e => Counts(r, e.Id)));
        if (labelled < MinPrompts)
        {
            problems.Add($"{labelled} prompts have an outcome for a pool expert; at least {MinPrompts} are needed.");
        }

        foreach (var expert in experts.Where(e => known?.Contains(e.Id) != true))
        {
            var outcomes = records.Count(r => Counts(r, expert.Id));
            if (outcomes < MinOutcomesPerExpert)
            {
                problems.Add($"{expert.Id} has {outcomes} labelled prompts; at least {MinOutcomesPerExpert} are needed.");
            }
        }

        return problems;
    }

    private static bool Counts(RoutingRecord record, string expert) =>
        record.Outcomes.TryGetValue(expert, out var outcome) && outcome.Weight is not <= 0;
}
