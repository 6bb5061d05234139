using BenchmarkDotNet.Attributes;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks;

/// <summary>
/// The shipped ZE-12 router on CPU: tokenize (hashed n-grams) + score one prompt, the same through the micro-batcher,
/// and whole batches of 32 and 256 prompts (prompts/s = batch size / mean time).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Q3Column]
public class ScoringBenchmarks
{
    private IrtSkillRouter _router = null!;
    private HashedNgramFeaturizer _featurizer = null!;
    private string[] _prompts = [];
    private int _next;

    [Params(1)]
    public int IntraOpThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(BenchmarkPrompts.RepositoryRoot(), "routers", "irt-ze12");
        var options = new OnnxServingOptions { IntraOpThreads = IntraOpThreads, MaxBatchSize = 256, MaxBatchWaitMicroseconds = 0 };
        _router = IrtSkillRouter.Load(folder, options, NullLogger.Instance);
        _featurizer = new HashedNgramFeaturizer(_router.Manifest.Encoder.HashedNgrams!);
        _prompts = BenchmarkPrompts.Load(256);
    }

    [GlobalCleanup]
    public void Cleanup() => _router.Dispose();

    [Benchmark(Description = "tokenize only")]
    public HashedFeatures Tokenize() => _featurizer.Featurize(NextPrompt());

    [Benchmark(Description = "tokenize + score 1 prompt")]
    public float[] TokenizeAndScoreOne() => _router.PredictBatch([NextPrompt()])[0];

    [Benchmark(Description = "1 prompt via micro-batcher")]
    public Task<float[]> ThroughBatcher() => _router.PredictAsync(NextPrompt());

    [Benchmark(Description = "batch of 32", OperationsPerInvoke = 32)]
    public float[][] Batch32() => _router.PredictBatch(_prompts.AsSpan(0, 32).ToArray());

    [Benchmark(Description = "batch of 256", OperationsPerInvoke = 256)]
    public float[][] Batch256() => _router.PredictBatch(_prompts);

    private string NextPrompt() => _prompts[_next++ % _prompts.Length];
}
