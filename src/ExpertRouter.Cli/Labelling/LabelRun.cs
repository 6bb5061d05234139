using System.Collections.Concurrent;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Labelling;

/// <summary>What a label run is asked to do.</summary>
internal sealed record LabelSettings
{
    public required IReadOnlyList<string> Experts { get; init; }

    public string? Judge { get; init; }

    public required string Output { get; init; }

    public int Concurrency { get; init; } = 4;

    public double MaxUsd { get; init; } = 5;

    public int MaxOutputTokens { get; init; } = 1024;

    /// <summary>Output tokens assumed for an expert the source has no recorded answers of.</summary>
    public int ExpectedOutputTokens { get; init; } = 300;
}

/// <summary>The plan before any call: pairs still to label and what they are expected to cost.</summary>
internal sealed record LabelPlan(
    IReadOnlyList<LabelPrompt> Prompts, IReadOnlyList<(LabelPrompt Prompt, string Expert)> Pairs, int DonePairs,
    int JudgedPairs, double ExpertUsd, double JudgeUsd, IReadOnlyList<string> Problems)
{
    public double EstimatedUsd => ExpertUsd + JudgeUsd;
}

/// <summary>How a run ended.</summary>
internal sealed record LabelSummary(int Labelled, int Failed, int Skipped, double SpentUsd, bool StoppedAtBudget, IReadOnlyList<string> Errors);

/// <summary>
/// Labels (prompt, expert) pairs: each expert answers through the gateway, the answer is scored by the prompt's
/// reference extractor or else by the judge (<see cref="JudgeRubric"/>), and each prompt's outcomes are appended to the
/// output as a routing record once its pairs are done. The output is the resume point: pairs it already holds are
/// skipped, and at the end it is rewritten with one record per prompt. Calls run at most
/// <see cref="LabelSettings.Concurrency"/> at a time; a call starts only when the money spent, the worst case of the
/// calls in flight and its own worst case stay within <see cref="LabelSettings.MaxUsd"/>, so the cap is never crossed.
/// </summary>
internal sealed class LabelRun(LabelSettings settings, GatewayChatClient gateway, Func<string, ModelPrice?> price)
{
    private readonly object _gate = new();
    private double _spent;
    private double _reserved;
    private bool _stopped;

    /// <summary>Pairs to do, after what <see cref="LabelSettings.Output"/> already holds; the estimate is the expected cost.</summary>
    public LabelPlan Plan(IReadOnlyList<LabelPrompt> prompts)
    {
        var done = Existing(settings.Output);
        var problems = new List<string>();
        foreach (var expert in settings.Experts.Append(settings.Judge).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (price(expert) is null)
            {
                problems.Add($"'{expert}' has no price (models.json of --data-dir, or --prices); the cost cannot be estimated or capped.");
            }
        }

        var pairs = new List<(LabelPrompt, string)>();
        var donePairs = 0;
        double expertUsd = 0, judgeUsd = 0;
        var judged = 0;
        foreach (var prompt in prompts)
        {
            foreach (var expert in settings.Experts)
            {
                if (done.TryGetValue(prompt.Id, out var record) && record.Outcomes.ContainsKey(expert))
                {
                    donePairs++;
                    continue;
                }

                pairs.Add((prompt, expert));
                var output = ExpectedOutput(prompt, expert);
                expertUsd += Cost(expert, TokenEstimate.FromText(prompt.Prompt), output);
                if (!prompt.HasExtractor)
                {
                    judged++;
                    judgeUsd += settings.Judge is { } judge ? JudgeCost(judge, prompt, output) : 0;
                }
            }
        }

        if (judged > 0 && settings.Judge is null)
        {
            var benchmarks = string.Join(", ", prompts.Where(p => !p.HasExtractor).Select(p => p.Benchmark).Distinct(StringComparer.Ordinal));
            problems.Add($"{judged} pairs have no reference to score against ({benchmarks}); name a judge with --judge.");
        }

        return new LabelPlan(prompts, pairs, donePairs, judged, expertUsd, judgeUsd, problems);
    }

    public async Task<LabelSummary> RunAsync(LabelPlan plan, Action<int, int, double> progress, CancellationToken cancellationToken)
    {
        var states = plan.Pairs.GroupBy(p => p.Prompt.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new PromptState(g.First().Prompt, g.Count()), StringComparer.Ordinal);
        var errors = new ConcurrentQueue<string>();
        int labelled = 0, failed = 0, skipped = 0, finished = 0;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!);
        await using (var writer = new StreamWriter(settings.Output, append: true))
        {
            await Parallel.ForEachAsync(plan.Pairs, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken }, async (pair, ct) =>
            {
                var outcome = await LabelAsync(pair.Prompt, pair.Expert, ct);
                switch (outcome)
                {
                    case { Outcome: { } o }:
                        Interlocked.Increment(ref labelled);
                        states[pair.Prompt.Id].Outcomes[pair.Expert] = o;
                        break;
                    case { Skipped: true }:
                        Interlocked.Increment(ref skipped);
                        break;
                    default:
                        Interlocked.Increment(ref failed);
                        if (errors.Count < 20)
                        {
                            errors.Enqueue($"{pair.Prompt.Id} × {pair.Expert}: {outcome.Error}");
                        }

                        break;
                }

                var state = states[pair.Prompt.Id];
                if (Interlocked.Decrement(ref state.Remaining) == 0 && !state.Outcomes.IsEmpty)
                {
                    var line = RoutingDatasetWriter.Line(state.ToRecord());
                    lock (writer)
                    {
                        writer.WriteLine(line);
                        writer.Flush();
                    }
                }

                progress(Interlocked.Increment(ref finished), plan.Pairs.Count, Volatile.Read(ref _spent));
            });
        }

        // One record per prompt, what was there before merged with what this run added.
        var merged = Existing(settings.Output);
        var temporary = settings.Output + ".tmp";
        RoutingDatasetWriter.Write(temporary, merged.Values);
        File.Move(temporary, settings.Output, overwrite: true);
        return new LabelSummary(labelled, failed, skipped, _spent, _stopped, [.. errors]);
    }

    private async Task<PairResult> LabelAsync(LabelPrompt prompt, string expert, CancellationToken cancellationToken)
    {
        var promptTokens = TokenEstimate.FromText(prompt.Prompt);
        // The worst case: the whole output bound, and the judge reading all of it; a margin for tokenizers that count more.
        var worst = 1.25 * (Cost(expert, promptTokens, settings.MaxOutputTokens)
            + (prompt.HasExtractor || settings.Judge is null ? 0 : JudgeCost(settings.Judge, prompt, settings.MaxOutputTokens)));
        lock (_gate)
        {
            if (_stopped || _spent + _reserved + worst > settings.MaxUsd)
            {
                _stopped = true;
                return new PairResult(null, null, Skipped: true);
            }

            _reserved += worst;
        }

        var spent = 0.0;
        try
        {
            var answer = await gateway.CompleteAsync(expert, prompt.Prompt, settings.MaxOutputTokens, null, cancellationToken);
            spent += answer.CostUsd ?? Cost(expert, answer.PromptTokens, answer.CompletionTokens);
            if (!answer.Succeeded)
            {
                return new PairResult(null, answer.Error);
            }

            if (answer.AnsweredBy is { } by && by != expert)
            {
                // A fallback answered: its text says nothing about the expert asked for.
                return new PairResult(null, $"answered by {by}, not {expert} (a fallback); not labelled");
            }

            double? score = ReferenceScoring.Score(prompt.Benchmark, prompt.Task, prompt.Reference, expert, answer.Content!);
            if (score is null && settings.Judge is { } judge)
            {
                var verdict = await gateway.CompleteAsync(judge, JudgeRubric.Request(prompt.Prompt, answer.Content!, prompt.Reference), cancellationToken);
                spent += verdict.CostUsd ?? Cost(judge, verdict.PromptTokens, verdict.CompletionTokens);
                if (!verdict.Succeeded)
                {
                    return new PairResult(null, $"judge {judge}: {verdict.Error}");
                }

                score = JudgeRubric.Score(verdict.Content!);
                if (score is null)
                {
                    return new PairResult(null, $"judge {judge} gave no score in [0, 1] ('{Cut(verdict.Content!, 60)}')");
                }
            }

            return score is null
                ? new PairResult(null, "no reference extractor and no judge")
                : new PairResult(new RecordedOutcome
                {
                    Score = score.Value,
                    OutputTokensEst = answer.CompletionTokens > 0 ? answer.CompletionTokens : TokenEstimate.FromText(answer.Content),
                    Response = Cut(answer.Content!, 4000),
                }, null);
        }
        finally
        {
            lock (_gate)
            {
                _reserved -= worst;
                _spent += spent;
            }
        }
    }

    private int ExpectedOutput(LabelPrompt prompt, string expert) =>
        prompt.RecordedOutputTokens.TryGetValue(expert, out var tokens) && tokens > 0 ? tokens : settings.ExpectedOutputTokens;

    private double Cost(string expert, int promptTokens, int outputTokens) => price(expert)?.CostUsd(promptTokens, outputTokens) ?? 0;

    private double JudgeCost(string judge, LabelPrompt prompt, int answerTokens) =>
        Cost(judge, (2 * (TokenEstimate.FromText(prompt.Prompt) + TokenEstimate.FromText(prompt.Reference) + answerTokens)) + JudgeRubric.OverheadTokens, JudgeRubric.MaxOutputTokens);

    /// <summary>The output's records by id, outcomes of repeated ids merged (a run that stopped leaves appended lines).</summary>
    internal static Dictionary<string, RoutingRecord> Existing(string path)
    {
        var records = new Dictionary<string, RoutingRecord>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return records;
        }

        foreach (var record in RoutingDatasetReader.Read(path, [], includeResponses: true))
        {
            records[record.Id] = records.TryGetValue(record.Id, out var before)
                ? before with { Outcomes = before.Outcomes.Concat(record.Outcomes).GroupBy(o => o.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal) }
                : record;
        }

        return records;
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    private sealed record PairResult(RecordedOutcome? Outcome, string? Error, bool Skipped = false);

    private sealed class PromptState(LabelPrompt prompt, int pairs)
    {
        public int Remaining = pairs;

        public ConcurrentDictionary<string, RecordedOutcome> Outcomes { get; } = new(StringComparer.Ordinal);

        public RoutingRecord ToRecord() => new()
        {
            Id = prompt.Id, Benchmark = prompt.Benchmark, Task = prompt.Task, Split = prompt.Split, Prompt = prompt.Prompt,
            Reference = prompt.Reference, Outcomes = Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal),
        };
    }
}
