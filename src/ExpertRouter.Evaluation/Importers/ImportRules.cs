using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>The conventions of the shared data's converter (make.py), so imported files match its schema exactly.</summary>
public static class ImportRules
{
    public const int MaxResponseCharacters = 4000;

    /// <summary>
    /// h = first 8 hex digits of sha256(benchmark + ":" + id); h % 10 in {0, 1} → test, 2 → dev, else train.
    /// </summary>
    public static string SplitOf(string benchmark, string id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(benchmark + ":" + id));
        var h = ((uint)hash[0] << 24) | ((uint)hash[1] << 16) | ((uint)hash[2] << 8) | hash[3];
        return (h % 10) switch
        {
            0 or 1 => "test",
            2 => "dev",
            _ => "train",
        };
    }

    /// <summary>Score plus the token estimate of the full response; the stored response is cut to 4,000 characters.</summary>
    public static RecordedOutcome Outcome(double score, string? response)
    {
        var text = response ?? "";
        return new RecordedOutcome
        {
            Score = score,
            OutputTokensEst = TokenEstimate.FromText(text),
            Response = text.Length <= MaxResponseCharacters ? text : text[..MaxResponseCharacters] + "\u2026",
        };
    }

    /// <summary>
    /// make.py's last steps: rows without any outcome are dropped, and a row whose prompt text equals an earlier
    /// row's (same benchmark) takes that row's split, so no prompt text is on both sides of a split.
    /// </summary>
    public static IReadOnlyList<RoutingRecord> Finish(IEnumerable<RoutingRecord> records)
    {
        var firstSplit = new Dictionary<(string, string), string>();
        var result = new List<RoutingRecord>();
        foreach (var record in records.Where(r => r.Outcomes.Count > 0))
        {
            var key = (record.Benchmark, record.Prompt);
            if (firstSplit.TryGetValue(key, out var split))
            {
                result.Add(record with { Split = split });
            }
            else
            {
                firstSplit[key] = record.Split;
                result.Add(record);
            }
        }

        return result;
    }
}
