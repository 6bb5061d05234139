using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Simulation;

/// <summary>
/// A real Kestrel server speaking the OpenAI API on loopback: the default expert pool of the gateway and what tests
/// and benchmarks talk to. Start with a port of 0 to get a free one; <see cref="BaseAddress"/> says which.
/// </summary>
public sealed class SimulatedExpertServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private SimulatedExpertServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Counter = app.Services.GetRequiredService<SimulatorRequestCounter>();
    }

    /// <summary>
    /// OpenAI-style base address including <c>/v1</c> and no trailing slash, e.g. <c>http://127.0.0.1:41234/v1</c>
    /// (what OpenAI SDKs take as their endpoint; an <see cref="HttpClient.BaseAddress"/> needs a "/" appended).
    /// </summary>
    public Uri BaseAddress { get; }

    public SimulatorRequestCounter Counter { get; }

    public IServiceProvider Services => app.Services;

    public static Task<SimulatedExpertServer> StartAsync(SimulatorOptions options, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default) =>
        StartAsync(options, url, TimeProvider.System, null, cancellationToken);

    /// <summary>Starts with an injected clock (tests pass a fake one) and optional logging (null: none).</summary>
    public static async Task<SimulatedExpertServer> StartAsync(
        SimulatorOptions options,
        string url,
        TimeProvider timeProvider,
        Action<ILoggingBuilder>? configureLogging,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => configureLogging?.Invoke(logging));
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSimulatedExperts(options);
        var app = builder.Build();
        app.UseRouting();
        app.MapSimulatedExperts();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SimulatedExpertServer(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    /// <summary>Generation requests (chat, Responses, Messages) received for <paramref name="model"/>, faulted ones included.</summary>
    public long RequestCount(string model) => Counter.ChatRequests(model);

    /// <summary>Generation requests for the model at one path (<c>/v1/chat/completions</c>, <c>/v1/responses</c>, <c>/v1/messages</c>).</summary>
    public long RequestCount(string model, string path) => Counter.ChatRequests(model, path);

    public long EmbeddingRequestCount(string model) => Counter.EmbeddingRequests(model);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
