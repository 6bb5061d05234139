using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>
/// One gateway writing its request log to a temporary folder: log-cheap and log-dear answer (log-cheap first, the
/// cheapest router ranks by price), log-broken answers 500; tenants "store", "hash" and "off" log prompts as they say,
/// "flaky" also sees log-broken, cheapest of all; vote2 is an ensemble of two.
/// </summary>
public sealed class RequestLogGateway : IAsyncLifetime
{
    public const string StoreKey = "sk-log-store";
    public const string HashKey = "sk-log-hash";
    public const string OffKey = "sk-log-off";
    public const string FlakyKey = "sk-log-flaky";

    public LogFolder Log { get; } = new();

    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string[] experts = ["log-cheap", "log-dear"];
        Host = await new GatewayBuilder()
            .SimulatedExpert("log-cheap", 0.1, "The answer is 42.")
            .SimulatedExpert("log-dear", 2, "The answer is surely 42.")
            .SimulatedExpert("log-broken", 0.01)
            .SimulatorFault("log-broken", "status", ("StatusCode", "500"))
            .Tenant("store", StoreKey, allowed: experts, policy: ("Logging:Prompts", "Store"))
            .Tenant("hash", HashKey, allowed: experts)
            .Tenant("off", OffKey, allowed: experts, policy: ("Logging:Prompts", "Off"))
            .Tenant("flaky", FlakyKey, allowed: ["log-broken", .. experts], policy: ("Logging:Prompts", "Store"))
            .Ensemble("vote2", ("Mode", "Vote"), ("Size", "2"))
            .Setting("RequestLog:Directory", Log.Path)
            .StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Log.Dispose();
    }

    /// <summary>Sends a chat request under a fresh request id and returns the id with the response.</summary>
    public async Task<(string Id, HttpResponseMessage Response)> SendAsync(string key, string prompt, string model = "auto", string extra = "")
    {
        using var client = Host.CreateClient(key);
        var id = "req-log-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"{{model}}","messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]{{extra}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-request-id", id);
        var response = await client.SendAsync(request);
        // Streams are read to the end, so the request is complete before its record is looked for.
        await response.Content.LoadIntoBufferAsync();
        return (id, response);
    }
}
