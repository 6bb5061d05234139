using System.Text.Json.Serialization;

namespace ExpertRouter.Irt.Encoding;

/// <summary>How prompt text becomes hashed n-gram ids; stored in <c>router.json</c> so serving hashes as training did.</summary>
public sealed record HashedNgramOptions
{
    /// <summary>Rows of the learned embedding table; ids are hash mod this.</summary>
    [JsonPropertyName("buckets")]
    public int Buckets { get; init; } = 1 << 14;

    /// <summary>Longest word n-gram (1 = unigrams only).</summary>
    [JsonPropertyName("wordNgramMax")]
    public int WordNgramMax { get; init; } = 2;

    /// <summary>Character n-grams inside each word (with boundary marks), fastText style.</summary>
    [JsonPropertyName("charNgramMin")]
    public int CharNgramMin { get; init; } = 3;

    [JsonPropertyName("charNgramMax")]
    public int CharNgramMax { get; init; } = 5;

    /// <summary>Only the first characters are read, which bounds serving latency for very long prompts.</summary>
    [JsonPropertyName("maxChars")]
    public int MaxChars { get; init; } = 6000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Buckets < 2)
        {
            errors.Add($"buckets must be at least 2 (got {Buckets}).");
        }

        if (WordNgramMax < 1)
        {
            errors.Add($"wordNgramMax must be at least 1 (got {WordNgramMax}).");
        }

        if (CharNgramMin < 1 || CharNgramMax < CharNgramMin)
        {
            errors.Add($"char n-gram range [{CharNgramMin}, {CharNgramMax}] is empty.");
        }

        if (MaxChars < 1)
        {
            errors.Add($"maxChars must be positive (got {MaxChars}).");
        }

        return errors;
    }
}
