using System.Text.Json;
using System.Text.Json.Serialization;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Serving;

/// <summary>The contents of a router folder's <c>router.json</c>.</summary>
public sealed record RouterManifest
{
    public const string FileName = "router.json";
    public const string CurrentFormat = "expertrouter-irt/1";

    [JsonPropertyName("format")]
    public string Format { get; init; } = CurrentFormat;

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>
    /// What the gateway reports as the folder's version (<c>router_version</c> in the request log); written by
    /// <c>train</c> and <c>add-expert</c>. Absent in older folders, whose version is a hash of their files.
    /// </summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("model")]
    public string Model { get; init; } = "model.onnx";

    [JsonPropertyName("encoder")]
    public EncoderSpec Encoder { get; init; } = new();

    /// <summary>What of a request the router reads; absent: the last user message, whole (<see cref="ReadingPolicy.Default"/>).</summary>
    [JsonPropertyName("reads")]
    public ReadingPolicy? Reads { get; init; }

    /// <summary>The policy in force: <see cref="Reads"/>, or what routers read before policies existed.</summary>
    [JsonIgnore]
    public ReadingPolicy ReadingPolicy => Reads ?? ReadingPolicy.Default;

    [JsonPropertyName("inputs")]
    public IReadOnlyList<TensorSpec> Inputs { get; init; } = [];

    [JsonPropertyName("outputs")]
    public IReadOnlyList<TensorSpec> Outputs { get; init; } = [];

    [JsonPropertyName("embeddingSize")]
    public int EmbeddingSize { get; init; }

    [JsonPropertyName("abilityDimensions")]
    public int AbilityDimensions { get; init; }

    [JsonPropertyName("ensembleMembers")]
    public int EnsembleMembers { get; init; } = 1;

    [JsonPropertyName("experts")]
    public IReadOnlyList<RouterExpert> Experts { get; init; } = [];

    [JsonPropertyName("calibration")]
    public RouterCalibration? Calibration { get; init; }

    [JsonPropertyName("training")]
    public TrainingRecord? Training { get; init; }

    [JsonPropertyName("devMetrics")]
    public DevMetrics? DevMetrics { get; init; }

    public static RouterManifest Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(path), RouterManifestJson.Default.RouterManifest)
            ?? throw new InvalidDataException($"{path}: empty router.json");
        var errors = manifest.Validate();
        return errors.Count == 0
            ? manifest
            : throw new InvalidDataException($"{path}: " + string.Join(" ", errors));
    }

    public void Save(string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, RouterManifestJson.Default.RouterManifest) + "\n");

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Format != CurrentFormat)
        {
            errors.Add($"format must be '{CurrentFormat}' (got '{Format}').");
        }

        if (Experts.Count == 0)
        {
            errors.Add("experts is empty.");
        }

        if (Experts.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count() != Experts.Count)
        {
            errors.Add("expert ids are not unique.");
        }

        errors.AddRange(Encoder.Validate());
        if (Reads is { } reads)
        {
            errors.AddRange(reads.Validate());
            if (reads.MaxFeatures is not null && Encoder.Kind is not (EncoderSpec.Hashed or EncoderSpec.HashedSentence))
            {
                errors.Add($"reads.maxFeatures caps hashed n-gram features; encoder.kind '{Encoder.Kind}' has none.");
            }
        }

        return errors;
    }
}

/// <summary>
/// How a router turns prompt text into its graph's input: hashed n-grams, a BERT graph carried in the folder (frozen,
/// read by a dense head), a pretrained sentence encoder named by package and SHA-256 (never carried: it is extracted
/// from its NuGet package's assembly at load), or hashed n-grams and a pretrained encoder side by side.
/// </summary>
public sealed record EncoderSpec
{
    public const string Hashed = "hashed-ngrams";
    public const string Bert = "bert-mean-pooled";
    public const string Sentence = "pretrained";
    public const string HashedSentence = "hashed-ngrams+pretrained";

    [JsonPropertyName("kind")]
    public string Kind { get; init; } = Hashed;

    [JsonPropertyName("hashedNgrams")]
    public HashedNgramOptions? HashedNgrams { get; init; }

    /// <summary>BERT-family encoder graph (file in the router folder) whose first output is last_hidden_state.</summary>
    [JsonPropertyName("bertModel")]
    public string? BertModel { get; init; }

    /// <summary>WordPiece vocab.txt (file in the router folder).</summary>
    [JsonPropertyName("vocabulary")]
    public string? Vocabulary { get; init; }

    /// <summary>BERT only: longest token sequence (256 when absent).</summary>
    [JsonPropertyName("maxTokens")]
    public int? MaxTokens { get; init; }

    /// <summary>BERT only: lower-case before WordPiece (true when absent; false for cased models).</summary>
    [JsonPropertyName("lowerCase")]
    public bool? LowerCase { get; init; }

    /// <summary>The pretrained sentence encoder (its name, package, version, pooling and the SHA-256 of its files).</summary>
    [JsonPropertyName("pretrained")]
    public PretrainedEncoder? Pretrained { get; init; }

    /// <summary>A short name: hashed, minilm, hashed+arctic-xs, … (what <c>train --encoder</c> took).</summary>
    [JsonIgnore]
    public string Name => Kind switch
    {
        Hashed => "hashed",
        Sentence => Pretrained?.Name ?? "?",
        HashedSentence => "hashed+" + (Pretrained?.Name ?? "?"),
        _ => Kind,
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        switch (Kind)
        {
            case Hashed:
                errors.AddRange((HashedNgrams ?? new()).Validate());
                break;
            case Bert when BertModel is null || Vocabulary is null:
                errors.Add("a bert encoder needs bertModel and vocabulary.");
                break;
            case Bert:
                break;
            case Sentence or HashedSentence:
                if (Kind == HashedSentence)
                {
                    errors.AddRange((HashedNgrams ?? new()).Validate());
                }

                if (Pretrained is null)
                {
                    errors.Add($"encoder.kind '{Kind}' needs encoder.pretrained.");
                }
                else if (PretrainedEncoders.Find(Pretrained.Name) is not { } known)
                {
                    errors.Add($"unknown pretrained encoder '{Pretrained.Name}' (known: {string.Join(", ", PretrainedEncoders.All.Select(e => e.Name))}).");
                }
                else if (known != Pretrained)
                {
                    errors.Add($"encoder '{Pretrained.Name}' differs from the one this build pins ({known.Package} {known.Version}, model SHA-256 {known.ModelSha256}).");
                }

                break;
            default:
                errors.Add($"encoder.kind must be one of {Hashed}, {Bert}, {Sentence}, {HashedSentence} (got '{Kind}').");
                break;
        }

        return errors;
    }
}

public sealed record TensorSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("shape")] IReadOnlyList<string> Shape);

/// <summary>An expert the router scores, with the prices and expected output length its calibration assumed.</summary>
public sealed record RouterExpert
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("inputUsdPerMTok")]
    public double InputUsdPerMTok { get; init; }

    [JsonPropertyName("outputUsdPerMTok")]
    public double OutputUsdPerMTok { get; init; }

    [JsonPropertyName("expectedOutputTokens")]
    public int ExpectedOutputTokens { get; init; }

    /// <summary>Labelled prompts the expert's ability was fitted from; set for experts added by cold start.</summary>
    [JsonPropertyName("coldStartLabels")]
    public int? ColdStartLabels { get; init; }

    /// <summary>
    /// Prompts the router learned this expert from (its training data's prompts with an outcome for it, plus a warm
    /// start's own count when continued); absent in folders written before it was recorded. Exploration asks first
    /// for the experts the router knows from the fewest.
    /// </summary>
    [JsonPropertyName("labels")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Labels { get; init; }
}

public sealed record TrainingRecord
{
    [JsonPropertyName("files")]
    public IReadOnlyList<string> Files { get; init; } = [];

    [JsonPropertyName("prompts")]
    public int Prompts { get; init; }

    [JsonPropertyName("outcomes")]
    public int Outcomes { get; init; }

    [JsonPropertyName("calibrationPrompts")]
    public int CalibrationPrompts { get; init; }

    [JsonPropertyName("options")]
    public IrtTrainingOptions Options { get; init; } = new();

    /// <summary>
    /// The models whose outcomes taught the prompt side, when more than the pool's experts (train --items all);
    /// absent when only the pool's did.
    /// </summary>
    [JsonPropertyName("itemModels")]
    public IReadOnlyList<string>? ItemModels { get; init; }

    /// <summary>The router this one was continued from (train --from), when it was not trained from scratch.</summary>
    [JsonPropertyName("warmStart")]
    public WarmStartRecord? WarmStart { get; init; }
}

/// <summary>Where a continued router started and how strongly the start's weights held.</summary>
public sealed record WarmStartRecord
{
    /// <summary>The starting router's folder and version.</summary>
    [JsonPropertyName("from")]
    public string From { get; init; } = "";

    /// <summary>The decay rate toward the start's weights that was kept.</summary>
    [JsonPropertyName("anchor")]
    public float Anchor { get; init; }

    /// <summary>Each anchor tried, with its cross-validated, expert-balanced log loss on the training data; absent when the anchor was given.</summary>
    [JsonPropertyName("crossValidatedLogLoss")]
    public IReadOnlyDictionary<string, double>? CrossValidatedLogLoss { get; init; }
}

/// <summary>Dev-split numbers measured with the evaluation harness at training time.</summary>
public sealed record DevMetrics
{
    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    [JsonPropertyName("prompts")]
    public int Prompts { get; init; }

    [JsonPropertyName("logLoss")]
    public double LogLoss { get; init; }

    [JsonPropertyName("bestSingleExpert")]
    public string BestSingleExpert { get; init; } = "";

    [JsonPropertyName("bestSingleScore")]
    public double BestSingleScore { get; init; }

    [JsonPropertyName("bestSingleUsdPer1k")]
    public double BestSingleUsdPer1k { get; init; }

    /// <summary>Cheapest replayed cost reaching the best single expert's mean score, as a fraction of its cost.</summary>
    [JsonPropertyName("costFractionToMatchBest")]
    public double? CostFractionToMatchBest { get; init; }

    /// <summary>RouterBench's AIQ as the harness normalises it (mean hull score over the single experts' cost window).</summary>
    [JsonPropertyName("aiq")]
    public double Aiq { get; init; }

    [JsonPropertyName("maxMeanScore")]
    public double MaxMeanScore { get; init; }

    /// <summary>
    /// <c>snips</c> when the dev source was a log's exploration records: the numbers are off-policy estimates
    /// (self-normalised inverse propensity weighting), not a replay; absent for recorded data.
    /// </summary>
    [JsonPropertyName("estimator")]
    public string? Estimator { get; init; }
}

/// <summary>Source-generated, so a natively compiled gateway reads router folders without reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RouterManifest))]
internal sealed partial class RouterManifestJson : JsonSerializerContext;
