using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Caching;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>Configuration, requests and waits shared by the response cache's end-to-end tests.</summary>
public static class CacheTestRequests
{
    public const string OtherKey = "sk-other-tenant";

    /// <summary>The demo tenant with the default exact cache, and a second tenant with a semantic cache.</summary>
    public static Dictionary<string, string?> Settings(RecordingUpstream upstream) => new()
    {
        ["ExpertRouter:Experts:13:Id"] = "recorder",
        ["ExpertRouter:Experts:13:BaseUrls:0"] = upstream.BaseAddress.ToString(),
        ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "1",
        ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "2",
        // Inline tenants replace the shipped policy folder, so the demo tenant is declared here too.
        ["ExpertRouter:Tenants:0:Id"] = "demo",
        ["ExpertRouter:Tenants:0:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(GatewayHost.DemoKey),
        ["ExpertRouter:Tenants:0:Router"] = "cheapest",
        ["ExpertRouter:Tenants:1:Id"] = "other",
        ["ExpertRouter:Tenants:1:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(OtherKey),
        ["ExpertRouter:Tenants:1:Router"] = "cheapest",
        ["ExpertRouter:Cache:Tenants:other:Mode"] = "Semantic",
        // Low on purpose: the hashed embedding puts "X" and "not X" this close, so the guard must be what refuses.
        ["ExpertRouter:Cache:Tenants:other:SemanticThreshold"] = "0.5",
    };

    public static StringContent Chat(string prompt, string extra = ""","temperature":0""") =>
        new($$"""{"model":"recorder","messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]{{extra}}}""", Encoding.UTF8, "application/json");

    public static string CacheResult(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-expertrouter-cache", out var values) ? values.Single() : "(none)";

    /// <summary>
    /// An answer is stored just after its last byte reaches the client. Identical requests wait for it (single
    /// flight), but a semantic neighbour does not, so tests that need it stored wait until no flight is open.
    /// </summary>
    public static async Task SettledAsync(GatewayHost gateway)
    {
        var flights = gateway.Services.GetRequiredService<SingleFlight>();
        for (var i = 0; i < 250 && flights.InFlight > 0; i++)
        {
            await Task.Delay(20);
        }
    }
}
