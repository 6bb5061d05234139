using System.Text;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.Caching;

namespace ExpertRouter.Benchmarks.Caching;

/// <summary>The exact cache key (canonical JSON + SHA-256) and, for semantic tenants, the scope key as well.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class CacheKeyBenchmarks
{
    private ReadOnlyMemory<byte> _body;

    [Params(1, 20)]
    public int Turns { get; set; }

    [GlobalSetup]
    public void Setup() => _body = CacheBenchmarkRequests.Chat(Turns, "And why are sunsets red?");

    [Benchmark(Baseline = true)]
    public string ExactKey() => CacheKeyBuilder.Build("tenant-a", _body, withScope: false).Exact;

    [Benchmark]
    public string? ExactAndScopeKeys() => CacheKeyBuilder.Build("tenant-a", _body, withScope: true).Scope;
}

internal static class CacheBenchmarkRequests
{
    /// <summary>A deterministic chat request with a system prompt and <paramref name="turns"/> earlier exchanges.</summary>
    public static byte[] Chat(int turns, string prompt, bool stream = false)
    {
        var messages = new StringBuilder("""{"role":"system","content":"You are a careful assistant."}""");
        for (var i = 0; i < turns; i++)
        {
            messages.Append($$""",{"role":"user","content":"Question {{i}}: explain why the sky is blue, with the physics, in plain words."}""");
            messages.Append($$""",{"role":"assistant","content":"Answer {{i}}: sunlight scatters off air molecules; shorter wavelengths scatter most."}""");
        }

        messages.Append($$""",{"role":"user","content":"{{prompt}}"}""");
        var streaming = stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "";
        return Encoding.UTF8.GetBytes($$"""{"model":"auto",{{streaming}}"temperature":0,"messages":[{{messages}}],"max_tokens":256}""");
    }
}
