using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>What joining a log's training records to recorded data did.</summary>
public sealed record RecordedLogJoinSummary
{
    /// <summary>Logged prompts whose text the recorded data also holds.</summary>
    public int Prompts { get; init; }

    /// <summary>Logged outcomes of experts the recorded record lacked, now part of it.</summary>
    public int Joined { get; init; }

    /// <summary>Logged outcomes of experts the recorded record already held, left out.</summary>
    public int Superseded { get; init; }

    public override string ToString() =>
        $"{Prompts} logged prompts are also in the recorded data: {Joined} logged outcomes joined those prompts' records, " +
        $"{Superseded} were left out where a recorded outcome of the same expert stands";
}

/// <summary>
/// Makes one training example of a prompt that both recorded data (a benchmark split, <c>label</c>'s output) and the
/// gateway's log hold, matched by text. Its (prompt, expert) pairs are the recorded ones, plus the logged ones the
/// recorded data lacks (typically a new expert's explored and scored answers); a logged outcome of an expert the
/// recorded data already holds is left out, as the recorded one is ground truth (a reference or a labelling run's
/// judge) where the log's is a judge's or a user's.
/// <para>
/// Concatenated instead, such a prompt counted twice, and the recorded experts' outcomes on an explored prompt about
/// six times (once recorded, then weighted by the inverse of a 0.2 sampling rate): over the learning loop's 60 logs
/// (evals/README.md) that skew cost the learned router about 5 points of the offline router's gain.
/// </para>
/// Records within one kind of source are left as they are, so training on recorded data alone is unchanged.
/// </summary>
public static class RecordedLogJoin
{
    /// <param name="sources">Each source's records in the order given, and whether they come from a log.</param>
    public static (IReadOnlyList<RoutingRecord> Records, RecordedLogJoinSummary Summary) Join(
        IReadOnlyList<(IReadOnlyList<RoutingRecord> Records, bool Logged)> sources)
    {
        // The first recorded record of a prompt receives its logged outcomes.
        var recordedByPrompt = new Dictionary<string, RoutingRecord>(StringComparer.Ordinal);
        foreach (var (records, logged) in sources)
        {
            if (!logged)
            {
                foreach (var record in records)
                {
                    if (record.Prompt.Length > 0)
                    {
                        recordedByPrompt.TryAdd(record.Prompt, record);
                    }
                }
            }
        }

        var additions = new Dictionary<RoutingRecord, Dictionary<string, RecordedOutcome>>(ReferenceEqualityComparer.Instance);
        int prompts = 0, joined = 0, superseded = 0;
        foreach (var (records, logged) in sources)
        {
            if (!logged)
            {
                continue;
            }

            foreach (var record in records)
            {
                if (!recordedByPrompt.TryGetValue(record.Prompt, out var recorded))
                {
                    continue;
                }

                prompts++;
                if (!additions.TryGetValue(recorded, out var added))
                {
                    additions[recorded] = added = new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal);
                }

                foreach (var (expert, outcome) in record.Outcomes)
                {
                    // A second log repeating the prompt adds nothing to a pair the first already joined.
                    if (recorded.Outcomes.ContainsKey(expert) || !added.TryAdd(expert, outcome))
                    {
                        superseded++;
                    }
                    else
                    {
                        joined++;
                    }
                }
            }
        }

        var result = new List<RoutingRecord>();
        foreach (var (records, logged) in sources)
        {
            foreach (var record in records)
            {
                if (logged)
                {
                    if (!recordedByPrompt.ContainsKey(record.Prompt))
                    {
                        result.Add(record);
                    }
                }
                else if (additions.TryGetValue(record, out var added) && added.Count > 0)
                {
                    var outcomes = new Dictionary<string, RecordedOutcome>(record.Outcomes, StringComparer.Ordinal);
                    foreach (var (expert, outcome) in added)
                    {
                        outcomes[expert] = outcome;
                    }

                    result.Add(record with { Outcomes = outcomes });
                }
                else
                {
                    result.Add(record);
                }
            }
        }

        return (result, new RecordedLogJoinSummary { Prompts = prompts, Joined = joined, Superseded = superseded });
    }
}
