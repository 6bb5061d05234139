using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Turns the gateway's request/feedback log (JSONL of <see cref="RequestLogRecord"/>) into routing records, by the
/// gateway's rule: each request's score is its last feedback record's (<see cref="RequestLogJoin"/>; a request line
/// that carries its own score, as logs before the feedback API did, keeps it when no feedback follows). Only scored
/// requests count; requests with the same prompt text become one record (id = "fb-" + the first 16 hex digits of the
/// prompt's SHA-256, split by the shared data's rule), and repeated (prompt, expert) pairs are averaged. The log keeps
/// no response text; output tokens are the logged count (0 when absent). <c>train --train log:DIR</c> reads the same
/// log with exploration records and weights (<see cref="LearningLogImporter"/>).
/// </summary>
public static class FeedbackLogImporter
{
    public const string Benchmark = "feedback";

    public static IReadOnlyList<RoutingRecord> Import(IEnumerable<string> jsonLines)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var order = new List<string>();
        var lines = jsonLines.Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize(l, RequestLogJson.Default.RequestLogRecord))
            .OfType<RequestLogRecord>();
        foreach (var entry in RequestLogJoin.Scored(lines))
        {
            if (entry.Score is not { } score || string.IsNullOrEmpty(entry.Expert))
            {
                continue;
            }

            if (!groups.TryGetValue(entry.Prompt, out var group))
            {
                groups[entry.Prompt] = group = new Group(entry.Task ?? entry.Tenant);
                order.Add(entry.Prompt);
            }

            var tokens = entry.OutputTokens ?? 0;
            group.Add(entry.Expert, Math.Clamp(score, 0, 1), tokens);
        }

        return ImportRules.Finish(order.Select(prompt =>
        {
            var id = "fb-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16];
            return new RoutingRecord
            {
                Id = id, Benchmark = Benchmark, Task = groups[prompt].Task, Split = ImportRules.SplitOf(Benchmark, id),
                Prompt = prompt, Outcomes = groups[prompt].Outcomes(),
            };
        }));
    }

    public static IReadOnlyList<RoutingRecord> ImportFile(string path) => Import(File.ReadLines(path));

    private sealed class Group(string task)
    {
        private readonly Dictionary<string, (double Score, long Tokens, int Count)> _experts = new(StringComparer.Ordinal);

        public string Task => task;

        public void Add(string expert, double score, int tokens)
        {
            var (s, t, n) = _experts.GetValueOrDefault(expert);
            _experts[expert] = (s + score, t + tokens, n + 1);
        }

        public Dictionary<string, RecordedOutcome> Outcomes() => _experts.ToDictionary(
            e => e.Key,
            e => new RecordedOutcome { Score = e.Value.Score / e.Value.Count, OutputTokensEst = (int)(e.Value.Tokens / e.Value.Count) },
            StringComparer.Ordinal);
    }
}
