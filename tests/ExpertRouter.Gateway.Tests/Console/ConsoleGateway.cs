using System.Net.Http.Headers;
using System.Text;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;
using ExpertRouter.Gateway.Tests.Tenants;

namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>
/// A gateway with the console on: three tenants in a policy folder (<c>acme</c> routed by the shipped IRT router under
/// a cost target, <c>globex</c> on the cheapest router, <c>initech</c> on the cheapest router with the IRT router as
/// its shadow), the admin key, and a request log so feedback is taken and the shadow predicts.
/// </summary>
public sealed class ConsoleGateway : IAsyncLifetime
{
    public const string Acme = "acme";
    public const string Globex = "globex";
    public const string Initech = "initech";

    private readonly TenantTestPolicies _policies = new();

    public GatewayHost Host { get; private set; } = null!;

    /// <summary>The gateway's request log: the records of the tests' requests, shadow choices included.</summary>
    public LogFolder Log { get; } = new();

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
        // The shadow ranks under the tenant's λ (cheapest has no calibration to read a target from); at 15 the shipped
        // IRT router picks the cheapest expert for some of the shadow test's prompts and a dearer one for others.
        _policies.Write(Initech, """
            router:
              name: cheapest
              lambda: 15
              shadow: irt-ze12
            """, allow: "");
        var settings = _policies.Settings();
        settings["ExpertRouter:RequestLog:Directory"] = Log.Path;
        Host = await GatewayBuilder.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _policies.Dispose();
        Log.Dispose();
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
