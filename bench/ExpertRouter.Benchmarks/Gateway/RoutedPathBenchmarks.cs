using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Serving;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// The routed path's router steps one by one, for the bench's four request shapes (bench/run.sh's bodies): parse the
/// body, read what the policy reads (in place), hash it (into rented arrays), and score it in ONNX Runtime or in
/// managed code, with the shipped ZE-12 router's own reading policy (router.json) or reading everything as routers did
/// before policies.
/// </summary>
[MemoryDiagnoser]
public class RoutedPathBenchmarks
{
    private const string Short = "Explain in two sentences why the sky is blue and why sunsets are red.";

    private ReadOnlyMemory<byte> _body;
    private OpenAIRequest _request = null!;
    private PromptReader _reader = null!;
    private HashedNgramFeaturizer _featurizer = null!;
    private ReadText _text;
    private HashedFeatures _features = null!;
    private HashedPromptScorer _onnx = null!;
    private ManagedIrtScorer _managed = null!;
    private readonly float[] _probabilities = new float[64];

    [Params("14 words", "265 words", "conversation", "RAG 4k")]
    public string Shape { get; set; } = "";

    [Params("everything", "router.json")]
    public string Reads { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkPrompts.RepositoryRoot();
        var folder = Path.Combine(root, "routers", "irt-ze12");
        var manifest = RouterManifest.Load(folder);
        var policy = Reads == "everything" ? ReadingPolicy.Default : manifest.ReadingPolicy;
        _body = Encoding.UTF8.GetBytes(Body(root, Shape));
        _request = OpenAIRequestParser.Parse(_body, OpenAIEndpoint.ChatCompletions).Request ?? throw new InvalidDataException("The bench body does not parse.");
        _reader = new PromptReader(policy, manifest.Encoder.HashedNgrams!.MaxChars);
        _featurizer = new HashedNgramFeaturizer(manifest.Encoder.HashedNgrams, policy.MaxFeatures);
        _text = _reader.ReadInPlace(_request.Conversation!);
        _features = _featurizer.Featurize(_text);
        var model = File.ReadAllBytes(Path.Combine(folder, manifest.Model));
        _onnx = new HashedPromptScorer(new InferenceSession(model), _featurizer, manifest.Experts.Count, OnnxServingOptions.Cpu) { OwnsFeaturizer = false };
        _managed = ManagedIrtScorer.TryCreate(model, _featurizer, manifest.Experts.Count).Scorer ?? throw new InvalidDataException("The router has no managed scorer.");
        Console.WriteLine($"// {Shape}, reads {policy}: {_body.Length} body bytes, {_text.Length} characters read, {_features.Count} features");
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx.Dispose();

    [Benchmark(Description = "parse body")]
    public OpenAIRequest? Parse() => OpenAIRequestParser.Parse(_body, OpenAIEndpoint.ChatCompletions).Request;

    [Benchmark(Description = "read (policy)")]
    public ReadText Read() => _reader.ReadInPlace(_request.Conversation!);

    /// <summary>Into rented arrays, as the managed scorer hashes (the ONNX path allocates them).</summary>
    [Benchmark(Description = "hash n-grams")]
    public int Hash()
    {
        using var features = _featurizer.Rent(_text);
        return features.Count;
    }

    [Benchmark(Description = "score: ONNX Runtime")]
    public float Onnx()
    {
        _onnx.Score([_features], _probabilities.AsSpan(0, _onnx.Experts));
        return _probabilities[0];
    }

    [Benchmark(Description = "score: managed")]
    public float Managed()
    {
        _managed.Score(_features, _probabilities);
        return _probabilities[0];
    }

    /// <summary>run.sh's body of a shape: 14 words, the 265-word prompt, the conversation or the RAG request.</summary>
    internal static string Body(string root, string shape)
    {
        JsonNode messages = shape switch
        {
            "14 words" => new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Short }),
            "265 words" => new JsonArray(new JsonObject { ["role"] = "user", ["content"] = File.ReadAllText(Path.Combine(root, "bench", "prompts", "long.txt")).TrimEnd() }),
            "conversation" => JsonNode.Parse(File.ReadAllText(Path.Combine(root, "bench", "prompts", "conversation.json")))!,
            _ => JsonNode.Parse(File.ReadAllText(Path.Combine(root, "bench", "prompts", "rag.json")))!,
        };
        return new JsonObject { ["model"] = "auto", ["messages"] = messages }.ToJsonString(new JsonSerializerOptions());
    }
}
