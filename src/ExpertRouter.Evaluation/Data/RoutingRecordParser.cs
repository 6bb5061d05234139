using System.Text;
using System.Text.Json;

namespace ExpertRouter.Evaluation.Data;

/// <summary>
/// Parses one JSONL line of the routing schema with <see cref="Utf8JsonReader"/>. Response texts are most of the
/// bytes (MMLU-Pro: ~20 MB compressed) and no router reads them, so they are skipped unless asked for.
/// </summary>
internal static class RoutingRecordParser
{
    public static RoutingRecord Parse(ReadOnlySpan<byte> line, bool includeResponses, bool includeOutcomes = true)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        Expect(ref reader, JsonTokenType.StartObject);
        string id = "", benchmark = "", task = "", split = "", prompt = "";
        string? reference = null;
        Dictionary<string, RecordedOutcome> outcomes = new(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case "id": id = reader.GetString() ?? ""; break;
                case "benchmark": benchmark = reader.GetString() ?? ""; break;
                case "task": task = reader.GetString() ?? ""; break;
                case "split": split = reader.GetString() ?? ""; break;
                case "prompt": prompt = reader.GetString() ?? ""; break;
                case "reference": reference = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "outcomes" when includeOutcomes: outcomes = ReadOutcomes(ref reader, includeResponses); break;
                default: reader.Skip(); break;
            }
        }

        return new RoutingRecord
        {
            Id = id, Benchmark = benchmark, Task = task, Split = split, Prompt = prompt, Reference = reference,
            Outcomes = outcomes,
        };
    }

    /// <summary>Reads only the split field, so lines of other splits are dropped before the costly parse.</summary>
    public static bool SplitMatches(ReadOnlySpan<byte> line, IReadOnlyCollection<string> splits)
    {
        if (splits.Count == 0)
        {
            return true;
        }

        foreach (var split in splits)
        {
            if (line.IndexOf(Encoding.UTF8.GetBytes($"\"split\":\"{split}\"")) >= 0 ||
                line.IndexOf(Encoding.UTF8.GetBytes($"\"split\": \"{split}\"")) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, RecordedOutcome> ReadOutcomes(ref Utf8JsonReader reader, bool includeResponses)
    {
        var outcomes = new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return outcomes;
        }

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var model = reader.GetString() ?? "";
            Next(ref reader);
            double score = 0;
            int tokens = 0;
            string? response = null;
            double? weight = null, propensity = null;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                var field = reader.GetString();
                Next(ref reader);
                switch (field)
                {
                    case "score": score = reader.GetDouble(); break;
                    case "output_tokens_est": tokens = reader.GetInt32(); break;
                    case "response" when includeResponses && reader.TokenType == JsonTokenType.String:
                        response = reader.GetString();
                        break;
                    case "weight" when reader.TokenType == JsonTokenType.Number: weight = reader.GetDouble(); break;
                    case "propensity" when reader.TokenType == JsonTokenType.Number: propensity = reader.GetDouble(); break;
                    default: reader.Skip(); break;
                }
            }

            outcomes[model] = new RecordedOutcome
            {
                Score = score, OutputTokensEst = tokens, Response = response, Weight = weight, Propensity = propensity,
            };
        }

        return outcomes;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of line");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType}");
        }
    }
}
