using System.Text;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// The gateway reads every request body once to route it: UTF-8 check, JSON parse, model token, prompt and its
/// token estimate. Sizes span a one-line question to a long multi-turn conversation.
/// </summary>
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    private ReadOnlyMemory<byte> _body;

    [Params(1, 20)]
    public int Turns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var messages = new StringBuilder("""{"role":"system","content":"You are a careful assistant."}""");
        for (var i = 0; i < Turns; i++)
        {
            messages.Append($$""",{"role":"user","content":"Question {{i}}: explain why the sky is blue, with the physics, in plain words."}""");
            messages.Append($$""",{"role":"assistant","content":"Answer {{i}}: sunlight scatters off air molecules; shorter wavelengths scatter most."}""");
        }

        messages.Append(""",{"role":"user","content":"And why are sunsets red?"}""");
        _body = Encoding.UTF8.GetBytes($$"""{"model":"auto","temperature":0.2,"messages":[{{messages}}],"max_tokens":256}""");
    }

    [Benchmark]
    public OpenAIRequest? Parse() => OpenAIRequestParser.Parse(_body, OpenAIEndpoint.ChatCompletions).Request;
}
