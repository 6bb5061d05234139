using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.Hosting;
using ExpertRouter.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// The same routed (<c>auto</c>) prompt through the gateway's three client APIs, one request at a time over loopback
/// with bench/run.sh's bodies: chat completions, the Responses API (stored, the API's default, and with
/// <c>store: false</c>) and Anthropic Messages. The other two APIs are translated to chat and back, so their cost over
/// the chat row is the translation's; the memory column counts the whole process (client, gateway and simulator),
/// which is the same for all rows but for what the gateway does differently.
/// </summary>
[MemoryDiagnoser]
public class ProtocolRoundTripBenchmarks
{
    private const string Prompt = "Explain in two sentences why the sky is blue and why sunsets are red.";
    private static readonly byte[] Chat = Encoding.UTF8.GetBytes($$"""{"model":"auto","messages":[{"role":"user","content":"{{Prompt}}"}]}""");
    private static readonly byte[] Responses = Encoding.UTF8.GetBytes($$"""{"model":"auto","input":"{{Prompt}}"}""");
    private static readonly byte[] ResponsesNotStored = Encoding.UTF8.GetBytes($$"""{"model":"auto","store":false,"input":"{{Prompt}}"}""");
    private static readonly byte[] Messages = Encoding.UTF8.GetBytes($$"""{"model":"auto","max_tokens":256,"messages":[{"role":"user","content":"{{Prompt}}"}]}""");

    private SimulatedExpertServer _simulator = null!;
    private WebApplication _gateway = null!;
    private HttpClient _openAI = null!;
    private HttpClient _anthropic = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _simulator = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        _gateway = await GatewayApp.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration["ExpertRouter:SimulatorUrl"] = _simulator.BaseAddress.ToString();
            builder.Logging.ClearProviders();
        });
        await _gateway.StartAsync();
        var address = new Uri(AddressOf(_gateway) + "/v1/");
        _openAI = new HttpClient { BaseAddress = address };
        _openAI.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-expertrouter-demo");
        _anthropic = new HttpClient { BaseAddress = address };
        _anthropic.DefaultRequestHeaders.Add("x-api-key", "sk-expertrouter-demo");
        _anthropic.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _openAI.Dispose();
        _anthropic.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "chat completions")]
    public Task<int> ChatCompletions() => PostAsync(_openAI, "chat/completions", Chat);

    [Benchmark(Description = "responses, stored")]
    public Task<int> ResponsesStored() => PostAsync(_openAI, "responses", Responses);

    [Benchmark(Description = "responses, store: false")]
    public Task<int> ResponsesUnstored() => PostAsync(_openAI, "responses", ResponsesNotStored);

    [Benchmark(Description = "messages")]
    public Task<int> AnthropicMessages() => PostAsync(_anthropic, "messages", Messages);

    private static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');

    private static async Task<int> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
    }
}
