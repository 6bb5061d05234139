using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>A day's ledger hash holds <c>{expert}|{counter}</c> fields; this folds them back into entries and out again.</summary>
internal static class LedgerFields
{
    /// <summary>The non-zero fields of one entry, as the scripts increment them.</summary>
    public static IEnumerable<(string Field, long Value)> Of(LedgerEntry entry)
    {
        (string Counter, long Value)[] counters =
        [
            ("requests", entry.Requests), ("prompt_tokens", entry.PromptTokens), ("completion_tokens", entry.CompletionTokens),
            ("cost_nanos", entry.CostNanos), ("cache_hits", entry.CacheHits), ("saved_nanos", entry.SavedNanos),
        ];
        return counters.Where(c => c.Value != 0).Select(c => (entry.Expert + "|" + c.Counter, c.Value));
    }

    public static IEnumerable<LedgerEntry> Parse(DateOnly day, HashEntry[] fields)
    {
        var byExpert = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            var bar = name.LastIndexOf('|');
            if (bar <= 0)
            {
                continue;
            }

            var slot = name[(bar + 1)..] switch
            {
                "requests" => 0,
                "prompt_tokens" => 1,
                "completion_tokens" => 2,
                "cost_nanos" => 3,
                "cache_hits" => 4,
                "saved_nanos" => 5,
                _ => -1,
            };
            if (slot < 0)
            {
                continue;
            }

            var expert = name[..bar];
            if (!byExpert.TryGetValue(expert, out var counters))
            {
                byExpert[expert] = counters = new long[6];
            }

            counters[slot] = (long)field.Value;
        }

        return byExpert.Select(e => new LedgerEntry(day, e.Key, e.Value[0], e.Value[1], e.Value[2], e.Value[3], e.Value[4], e.Value[5]));
    }
}
