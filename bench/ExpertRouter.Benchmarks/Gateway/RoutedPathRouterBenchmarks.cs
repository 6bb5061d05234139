using System.Text;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// The router's whole share of a routed request as the gateway asks for it (<see cref="IrtSkillRouter.EstimateQualityAsync"/>):
/// read what router.json's policy reads, hash it and score it, for the bench's four request shapes. What
/// <see cref="RoutedPathBenchmarks"/> measures step by step, here as one call, so its allocations are what routing
/// adds to a parsed request.
/// </summary>
[MemoryDiagnoser]
public class RoutedPathRouterBenchmarks
{
    private IrtSkillRouter _router = null!;
    private RoutingQuery _query = null!;
    private ExpertDefinition[] _candidates = [];
    private double[] _quality = [];

    [Params("14 words", "265 words", "conversation", "RAG 4k")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkPrompts.RepositoryRoot();
        _router = IrtSkillRouter.Load(Path.Combine(root, "routers", "irt-ze12"), new OnnxServingOptions(), NullLogger.Instance);
        var body = Encoding.UTF8.GetBytes(RoutedPathBenchmarks.Body(root, Shape));
        var request = OpenAIRequestParser.Parse(body, OpenAIEndpoint.ChatCompletions).Request ?? throw new InvalidDataException("The bench body does not parse.");
        _query = new RoutingQuery(request.Conversation!);
        _candidates = [.. _router.Experts.Select(e => new ExpertDefinition { Id = e.Id })];
        _quality = new double[_candidates.Length];
        Console.WriteLine($"// {Shape}: router {_router.Name}, scored {_router.Scoring}, reads {_router.Manifest.ReadingPolicy}");
    }

    [GlobalCleanup]
    public void Cleanup() => _router.Dispose();

    [Benchmark(Description = "router: read, hash, score")]
    public double Route()
    {
        var estimated = _router.EstimateQualityAsync(_query, _candidates, _quality, CancellationToken.None);
        if (!estimated.IsCompletedSuccessfully)
        {
            estimated.AsTask().GetAwaiter().GetResult();
        }

        return _quality[0];
    }
}
