using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Gateway.Hosting;
using ExpertRouter.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// One request at a time over loopback, all in this process: straight to the simulator, through a plain YARP route,
/// and through the gateway with an explicit model, with <c>auto</c>, and streamed; explicit and <c>auto</c> again with
/// run.sh's 265-word prompt (bench/prompts/long.txt), where the router reads a cut of the prompt. The memory columns
/// count every allocation in the process (client, gateway and simulator), so gateway minus direct is what the gateway
/// allocates per request, and auto minus explicit what routing adds.
/// </summary>
[MemoryDiagnoser]
public class GatewayRoundTripBenchmarks
{
    private const string Prompt = "Explain in two sentences why the sky is blue and why sunsets are red.";
    private static readonly byte[] Explicit = Body("gpt-4o-mini-2024-07-18", stream: false, Prompt);
    private static readonly byte[] Auto = Body("auto", stream: false, Prompt);
    private static readonly byte[] Streamed = Body("gpt-4o-mini-2024-07-18", stream: true, Prompt);
    private static readonly string LongPrompt = File.ReadAllText(Path.Combine(BenchmarkPrompts.RepositoryRoot(), "bench", "prompts", "long.txt")).TrimEnd();
    private static readonly byte[] ExplicitLong = Body("gpt-4o-mini-2024-07-18", stream: false, LongPrompt);
    private static readonly byte[] AutoLong = Body("auto", stream: false, LongPrompt);

    private SimulatedExpertServer _simulator = null!;
    private WebApplication _gateway = null!;
    private WebApplication _plainYarp = null!;
    private HttpClient _direct = null!;
    private HttpClient _yarp = null!;
    private HttpClient _routed = null!;

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
        _plainYarp = await StartPlainYarpAsync(new Uri(_simulator.BaseAddress, "/").ToString());
        _direct = new HttpClient { BaseAddress = new Uri(_simulator.BaseAddress.ToString().TrimEnd('/') + "/") };
        _yarp = new HttpClient { BaseAddress = new Uri(AddressOf(_plainYarp) + "/v1/") };
        _routed = new HttpClient { BaseAddress = new Uri(AddressOf(_gateway) + "/v1/") };
        _routed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-expertrouter-demo");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _direct.Dispose();
        _yarp.Dispose();
        _routed.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _plainYarp.StopAsync();
        await _plainYarp.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<int> Direct() => PostAsync(_direct, Explicit);

    [Benchmark]
    public Task<int> PlainYarp() => PostAsync(_yarp, Explicit);

    [Benchmark]
    public Task<int> GatewayExplicit() => PostAsync(_routed, Explicit);

    [Benchmark]
    public Task<int> GatewayAuto() => PostAsync(_routed, Auto);

    [Benchmark]
    public Task<int> GatewayExplicitLong() => PostAsync(_routed, ExplicitLong);

    [Benchmark]
    public Task<int> GatewayAutoLong() => PostAsync(_routed, AutoLong);

    [Benchmark]
    public Task<int> DirectStreamed() => PostAsync(_direct, Streamed);

    [Benchmark]
    public Task<int> GatewayStreamed() => PostAsync(_routed, Streamed);

    /// <summary>The same pass-through as bench/ExpertRouter.PlainYarp: one route, one destination, nothing else.</summary>
    private static async Task<WebApplication> StartPlainYarpAsync(string upstream)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "v1", ClusterId = "upstream", Match = new RouteMatch { Path = "/v1/{**rest}" } }],
            [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["0"] = new() { Address = upstream } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return app;
    }

    private static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');

    private static async Task<int> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("chat/completions", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
    }

    private static byte[] Body(string model, bool stream, string prompt) => Encoding.UTF8.GetBytes(
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]}""");
}
