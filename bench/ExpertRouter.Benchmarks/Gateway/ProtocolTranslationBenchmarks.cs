using System.Text;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// What the Responses API and Anthropic Messages routes add to a routed chat request, without the HTTP around it:
/// the client's body translated to a chat body, and an expert's chat answer translated back (and, for a stored
/// response, saved in the in-process store), with bench/run.sh's bodies.
/// </summary>
[MemoryDiagnoser]
public class ProtocolTranslationBenchmarks
{
    private const string Prompt = "Explain in two sentences why the sky is blue and why sunsets are red.";
    private static readonly byte[] Responses = Encoding.UTF8.GetBytes($$"""{"model":"auto","input":"{{Prompt}}"}""");
    private static readonly byte[] ResponsesNotStored = Encoding.UTF8.GetBytes($$"""{"model":"auto","store":false,"input":"{{Prompt}}"}""");
    private static readonly byte[] Messages = Encoding.UTF8.GetBytes($$"""{"model":"auto","max_tokens":256,"messages":[{"role":"user","content":"{{Prompt}}"}]}""");

    private static readonly byte[] ChatCompletion = Encoding.UTF8.GetBytes("""
        {"id":"chatcmpl-5d7f1c2e9a","object":"chat.completion","created":1765000000,"model":"gpt-4o-mini-2024-07-18",
         "choices":[{"index":0,"message":{"role":"assistant","content":"The sky looks blue because air scatters short blue wavelengths of sunlight far more than long red ones. At sunset the light crosses much more air, so the blue is scattered away and the reds and oranges are left."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":21,"completion_tokens":44,"total_tokens":65}}
        """);

    private ResponsesProtocol _responses = null!;
    private AnthropicMessagesProtocol _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        var state = new ResponseStateOptions();
        _responses = new ResponsesProtocol(new InProcessResponseStateStore(TimeProvider.System, state), ProtocolIds.Random, TimeProvider.System, state, NullLogger<ResponsesProtocol>.Instance);
        _messages = new AnthropicMessagesProtocol(ProtocolIds.Random);
    }

    [Benchmark(Description = "responses, stored")]
    public Task<int> ResponsesStored() => RespondAsync(Responses);

    [Benchmark(Description = "responses, store: false")]
    public Task<int> ResponsesUnstored() => RespondAsync(ResponsesNotStored);

    [Benchmark(Description = "messages")]
    public int AnthropicMessages()
    {
        var call = _messages.TranslateRequest(Messages).Value!;
        return call.ChatBody.Length + _messages.TranslateResponse(call, ChatCompletion).Value!.Length;
    }

    private async Task<int> RespondAsync(byte[] body)
    {
        var call = (await _responses.TranslateRequestAsync("default", body, CancellationToken.None)).Value!;
        var answer = await _responses.TranslateResponseAsync("default", call, ChatCompletion, CancellationToken.None);
        return call.ChatBody.Length + answer.Value!.Length;
    }
}
