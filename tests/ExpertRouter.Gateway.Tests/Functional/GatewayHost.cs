using System.Net.Http.Headers;
using ExpertRouter.Gateway.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>The real gateway, started from its shipped configuration on an ephemeral loopback port; configured by <see cref="GatewayBuilder"/>.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string DemoKey = "sk-expertrouter-demo";

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = CreateClient(DemoKey);
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Authenticated as the demo tenant.</summary>
    public HttpClient Client { get; }

    /// <param name="services">Replaces services before the gateway's own (for example a fake <see cref="TimeProvider"/>).</param>
    /// <param name="logging">
    /// The one logging provider, filtered by the shipped configuration's log levels; none by default. Without a provider
    /// no logger is enabled, which changes what ASP.NET Core does per request (it starts an Activity only for an enabled
    /// logger or a listener).
    /// </param>
    internal static async Task<GatewayHost> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, ILoggerProvider? logging = null)
    {
        var app = await GatewayApp.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Logging.ClearProviders();
            if (logging is not null)
            {
                builder.Logging.AddProvider(logging);
            }

            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        var management = app.Services.GetRequiredService<ManagementListeners>().Addresses;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a)).First(a => !management.Any(m => m.Port == a.Port));
        return new GatewayHost(app, address);
    }


    /// <summary>The management listener (<c>/metrics</c>, health), which <see cref="GatewayBuilder"/> opens on a free port.</summary>
    public Uri ManagementAddress => Services.GetRequiredService<ManagementListeners>().Addresses.FirstOrDefault()
        ?? throw new InvalidOperationException("This gateway was started without a management port.");

    /// <summary>One scrape of <c>/metrics</c> on the management port.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var client = new HttpClient { BaseAddress = ManagementAddress, Timeout = TimeSpan.FromSeconds(30) };
        return await client.GetStringAsync("/metrics");
    }

    /// <summary>Scrapes <c>/metrics</c> on the management port until <paramref name="expected"/> appears (the exporter caches a scrape briefly).</summary>
    public async Task<string> ScrapeUntilAsync(string expected)
    {
        using var client = new HttpClient { BaseAddress = ManagementAddress, Timeout = TimeSpan.FromSeconds(30) };
        var text = "";
        for (var i = 0; i < 50 && !text.Contains(expected, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await client.GetStringAsync("/metrics");
        }

        return text;
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
