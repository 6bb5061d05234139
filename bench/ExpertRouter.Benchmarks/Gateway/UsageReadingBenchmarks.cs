using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.OpenAI.Usage;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// Every non-streamed answer's <c>usage</c> is read back for accounting. <see cref="ParsedDocument"/> is how it was
/// read until 2026-12-07 (a <see cref="JsonDocument"/> of the whole answer); <see cref="Reader"/> is
/// <see cref="UsageReport.FromDocument"/>, a reader stepping over everything but <c>usage</c>. Answers of the
/// simulator's size (one sentence), a paragraph, and a long answer.
/// </summary>
[MemoryDiagnoser]
public class UsageReadingBenchmarks
{
    private byte[] _answer = [];

    [Params(1, 10, 100)]
    public int Sentences { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var content = string.Concat(Enumerable.Repeat("Sunlight scatters off air molecules, and shorter wavelengths scatter most. ", Sentences));
        _answer = Encoding.UTF8.GetBytes($$$"""{"id":"chatcmpl-0123456789","object":"chat.completion","created":1765000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":{{{Sentences * 14}}},"total_tokens":{{{14 + (Sentences * 14)}}},"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_0123456789"}""");
    }

    [Benchmark(Baseline = true)]
    public UsageReport? ParsedDocument()
    {
        using var document = JsonDocument.Parse(_answer);
        return document.RootElement.TryGetProperty("usage", out var usage) ? UsageReport.FromElement(usage) : null;
    }

    [Benchmark]
    public UsageReport? Reader() => UsageReport.FromDocument(_answer);
}
