using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExpertRouter.Evaluation.Data;

/// <summary>A named set of experts evaluated together (files in <c>evals/pools/</c>).</summary>
public sealed record ExpertPool
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("benchmark")]
    public string? Benchmark { get; init; }

    [JsonPropertyName("experts")]
    public IReadOnlyList<string> Experts { get; init; } = [];

    /// <summary>A pool file path, or comma-separated expert ids.</summary>
    public static ExpertPool Parse(string poolFileOrIds)
    {
        if (File.Exists(poolFileOrIds))
        {
            using var stream = File.OpenRead(poolFileOrIds);
            return JsonSerializer.Deserialize(stream, EvaluationJson.Default.ExpertPool)
                ?? throw new InvalidDataException($"{poolFileOrIds}: empty pool file");
        }

        var ids = poolFileOrIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
        {
            throw new ArgumentException($"'{poolFileOrIds}' is neither a pool file nor a list of expert ids.");
        }

        return new ExpertPool { Name = "custom", Experts = ids };
    }
}
