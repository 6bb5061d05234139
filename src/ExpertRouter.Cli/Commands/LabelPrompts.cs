using ExpertRouter.Cli.Labelling;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Prompts to label: a dataset split (<c>zeroeval:dev</c>, a .jsonl(.gz) path) or a tenant's logged prompts
/// (<c>log:DIR[:split]</c>, <c>log:redis://host:port</c> with <c>--tenant</c>). A log holds a prompt's text only where the
/// tenant's policy says <c>logging.prompts: store</c>; the others are counted and reported, never guessed.
/// </summary>
internal static class LabelPrompts
{
    public static IReadOnlyList<LabelPrompt> Load(string source, string dataDirectory, string? tenant, Action<string> report)
    {
        if (!LogSource.IsLog(source))
        {
            return [.. RoutingDatasetReader.Load(source, dataDirectory).Select(r => new LabelPrompt(r.Id, r.Benchmark, r.Task, r.Split, r.Prompt, r.Reference)
            {
                RecordedOutputTokens = r.Outcomes.ToDictionary(o => o.Key, o => o.Value.OutputTokensEst, StringComparer.Ordinal),
            })];
        }

        var log = LogSource.Parse(source);
        var requests = log.Read().Requests
            .Where(r => (r.Kind is null or RequestLogRecord.RequestKind) && (tenant is null || r.Tenant == tenant))
            .ToList();
        var prompts = new Dictionary<string, LabelPrompt>(StringComparer.Ordinal);
        var withoutText = 0;
        foreach (var request in requests)
        {
            if (request.Prompt.Length == 0)
            {
                withoutText++;
                continue;
            }

            var split = LearningLogImporter.SplitOf(request.Prompt);
            if (log.Splits.Length > 0 && !log.Splits.Contains(split, StringComparer.Ordinal))
            {
                continue;
            }

            prompts.TryAdd(request.Prompt, new LabelPrompt(
                LearningLogImporter.IdOf(request.Prompt), LearningLogImporter.Benchmark, request.Tenant, split, request.Prompt, null));
        }

        report($"{source}: {requests.Count} requests{(tenant is null ? "" : $" of tenant {tenant}")}, {prompts.Count} distinct prompts" +
            (withoutText > 0 ? $"; {withoutText} requests logged no prompt text (logging.prompts: hash or off) and cannot be labelled" : ""));
        return [.. prompts.Values];
    }
}
