using System.Net.Http.Headers;
using System.Text;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.Tenants;

namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>
/// A gateway with the console on: two tenants in a policy folder (<c>acme</c> routed by the shipped IRT router under
/// a cost target, <c>globex</c> on the cheapest router), the admin key, and a request log so feedback is taken.
/// </summary>
public sealed class ConsoleGateway : IAsyncLifetime
{
    public const string Acme = "acme";
    public const string Globex = "globex";

    private readonly TenantTestPolicies _policies = new();
    private readonly string _log = Path.Combine(Path.GetTempPath(), "console-log-" + Guid.NewGuid().ToString("N"));

    public GatewayHost Host { get; private set; } = null!;

    public string PolicyFolder => _policies.Folder;

    public async Task InitializeAsync()
    {
        _policies.Write(Acme, """
            router:
              name: irt-ze12
              costTarget:
                maxCostFractionOfBest: 0.4
            budgets:
              dailyUsd: 5
              monthlyUsd: 50
            """, allow: "");
        _policies.Write(Globex, "budgets:\n  dailyUsd: 1\n");
        var settings = _policies.Settings();
        settings["ExpertRouter:RequestLog:Directory"] = _log;
        Host = await GatewayBuilder.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _policies.Dispose();
        try
        {
            Directory.Delete(_log, recursive: true);
        }
        catch (IOException)
        {
            // The log's last file may still be closing; the temp cleaner gets it.
        }
    }

    /// <summary>A client that asks for pages as a browser does, with a bearer key (or none).</summary>
    public HttpClient Browser(string? key)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Host.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>One routed chat request as <paramref name="tenant"/>; returns the request id and the expert that answered.</summary>
    public async Task<(string RequestId, string Expert)> ChatAsync(string tenant, string prompt)
    {
        using var client = Host.CreateClient(TenantTestPolicies.KeyFor(tenant));
        var body = $$"""{"model":"auto","max_tokens":30,"messages":[{"role":"user","content":"{{prompt}}"}]}""";
        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (response.Headers.GetValues("x-request-id").Single(), response.Headers.GetValues("x-expertrouter-expert").Single());
    }
}
