using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Loads the sources every command that reads outcomes takes: recorded data (<c>zeroeval:train</c>, a .jsonl(.gz) path,
/// a file written by <c>label</c>) and the gateway's learning log (<c>log:DIR</c>, <c>log:redis://host:port</c>, with an
/// optional <c>:split</c>). As training data a log gives one weighted record per prompt, joined to recorded data that
/// holds the same prompt; as test data its exploration records, each outcome with its propensity, which the harness
/// replays off-policy. What a log held, and how much of it counted, is written to <paramref name="report"/> (stderr in
/// the commands).
/// </summary>
internal static class TrainingSources
{
    /// <summary>
    /// Every source's training records; where a log and recorded data hold the same prompt, one record
    /// (<see cref="RecordedLogJoin"/>).
    /// </summary>
    public static IReadOnlyList<RoutingRecord> LoadTraining(
        IEnumerable<string> sources, string dataDirectory, LogWeights weights, Action<string>? report = null)
    {
        var loaded = Split(sources)
            .AsParallel().AsOrdered()
            .Select(s => (Records: LoadTraining(s, dataDirectory, weights, report), Logged: LogSource.IsLog(s)))
            .ToList();
        var (records, summary) = RecordedLogJoin.Join(loaded);
        if (summary.Prompts > 0)
        {
            report?.Invoke(summary.ToString());
        }

        return records;
    }

    public static IReadOnlyList<RoutingRecord> LoadTraining(string source, string dataDirectory, LogWeights weights, Action<string>? report = null)
    {
        if (!LogSource.IsLog(source))
        {
            return RoutingDatasetReader.Load(source, dataDirectory);
        }

        if (weights.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }

        var log = LogSource.Parse(source);
        var (records, summary) = LearningLogImporter.Training(log.Read(), weights);
        var kept = BySplit(records, log.Splits);
        report?.Invoke($"{source}: {summary} ({weights})" +
            (log.Splits.Length > 0 ? $"; {kept.Count} prompts in {string.Join('+', log.Splits)}" : ""));
        return kept;
    }

    /// <summary>A test source: recorded data as it is, or a log's exploration records with their propensities.</summary>
    public static IReadOnlyList<RoutingRecord> LoadTest(string source, string dataDirectory, bool includeOutcomes, Action<string>? report = null)
    {
        if (!LogSource.IsLog(source))
        {
            return RoutingDatasetReader.Load(source, dataDirectory, includeOutcomes);
        }

        var log = LogSource.Parse(source);
        var read = log.Read();
        var kept = BySplit(LearningLogImporter.Test(read), log.Splits);
        report?.Invoke($"{source}: {kept.Count} of {read.Explorations.Count} exploration records as off-policy test data" +
            " (feedback scores only the router's own choice, so it is not used for estimates)");
        return includeOutcomes ? kept : [.. kept.Select(r => r with { Outcomes = new Dictionary<string, RecordedOutcome>() })];
    }

    public static IEnumerable<string> Split(IEnumerable<string> sources) =>
        sources.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IReadOnlyList<RoutingRecord> BySplit(IReadOnlyList<RoutingRecord> records, string[] splits) =>
        splits.Length == 0 ? records : [.. records.Where(r => splits.Contains(r.Split, StringComparer.Ordinal))];
}
