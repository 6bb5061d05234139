using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExpertRouter.Evaluation.Data;

/// <summary>USD per million tokens for each model, as in the data's <c>models.json</c>.</summary>
public sealed class ModelPriceTable
{
    private readonly IReadOnlyDictionary<string, ModelPrice> _prices;

    public ModelPriceTable(IReadOnlyDictionary<string, ModelPrice> prices) => _prices = prices;

    public static ModelPriceTable Load(string path)
    {
        using var stream = File.OpenRead(path);
        var prices = JsonSerializer.Deserialize(stream, EvaluationJson.Default.DictionaryStringModelPrice)
            ?? throw new InvalidDataException($"{path}: empty price table");
        return new ModelPriceTable(prices);
    }

    public bool TryGet(string model, out ModelPrice price)
    {
        if (_prices.TryGetValue(model, out var found) && found.InputUsdPerMTok is not null && found.OutputUsdPerMTok is not null)
        {
            price = found;
            return true;
        }

        price = null!;
        return false;
    }

    public ModelPrice Get(string model) =>
        TryGet(model, out var price) ? price : throw new KeyNotFoundException($"No price for model '{model}'.");
}

public sealed record ModelPrice
{
    [JsonPropertyName("provider")]
    public string? Provider { get; init; }

    [JsonPropertyName("input_usd_per_mtok")]
    public double? InputUsdPerMTok { get; init; }

    [JsonPropertyName("output_usd_per_mtok")]
    public double? OutputUsdPerMTok { get; init; }

    /// <summary>The cost rule every report uses: prompt tokens estimated from characters, output tokens as recorded.</summary>
    public double CostUsd(int promptTokens, int outputTokens) =>
        (promptTokens * (InputUsdPerMTok ?? 0) + outputTokens * (OutputUsdPerMTok ?? 0)) / 1e6;
}
