using BenchmarkDotNet.Attributes;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks;

/// <summary>
/// What each prompt encoder costs on one CPU thread (IntraOpThreads 1), per prompt: one prompt at a time, and a batch
/// of 16 (per prompt, OperationsPerInvoke). Prompts of 20, 100 and 300 words are generated (a fixed word list, seeded),
/// each benchmark call takes the next one, and no embedding cache is used. Sentence encoders cut at 256 tokens.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EncoderBenchmarks
{
    private const int Batch = 16;

    private static readonly string[] Words =
    [
        "compute", "the", "value", "of", "x", "given", "that", "three", "apples", "cost", "function", "return", "list",
        "answer", "json", "python", "print", "output", "integer", "sum", "protein", "cell", "empire", "treaty", "which",
        "following", "best", "describes", "equation", "probability", "derivative", "reaction", "energy", "law", "court",
    ];

    private IPromptFeaturizer _featurizer = null!;
    private string[] _prompts = [];
    private int _next;

    [Params("hashed", "minilm", "arctic-xs", "hashed+minilm")]
    public string Encoder { get; set; } = "hashed";

    [Params(20, 100, 300)]
    public int PromptWords { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (spec, error) = PromptFeaturizers.Parse(Encoder, new HashedNgramOptions());
        var (featurizer, failure) = PromptFeaturizers.Create(
            spec ?? throw new InvalidOperationException(error), new OnnxServingOptions { IntraOpThreads = 1 }, NullLogger.Instance);
        _featurizer = featurizer ?? throw new InvalidOperationException(failure);
        var random = new Random(PromptWords);
        _prompts = Enumerable.Range(0, 256)
            .Select(_ => string.Join(' ', Enumerable.Range(0, PromptWords).Select(_ => Words[random.Next(Words.Length)])) + "?")
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => (_featurizer as IDisposable)?.Dispose();

    [Benchmark(Description = "1 prompt")]
    public HashedFeatures One() => _featurizer.Featurize(_prompts[_next++ % _prompts.Length]);

    [Benchmark(Description = "batch of 16 (per prompt)", OperationsPerInvoke = Batch)]
    public HashedFeatures[] Sixteen()
    {
        var batch = new string[Batch];
        for (var i = 0; i < Batch; i++)
        {
            batch[i] = _prompts[_next++ % _prompts.Length];
        }

        // Hashing has no batch form worth the name; a sequential loop keeps it on one thread like the encoders.
        return _featurizer is HashedNgramFeaturizer hashed ? batch.Select(hashed.Featurize).ToArray() : _featurizer.FeaturizeBatch(batch);
    }
}
