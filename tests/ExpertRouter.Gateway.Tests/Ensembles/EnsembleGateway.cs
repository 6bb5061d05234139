using System.Globalization;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Ensembles;

/// <summary>
/// One gateway with simulated experts whose answers are fixed: e-cheap and e-mid answer 42 (spelled differently),
/// e-dear answers 41, e-judge always says "BEST: 3", e-writer writes a merged answer, e-broken answers 500 and
/// e-slow answers after 4 s, e-recorder is a recording upstream. The demo tenant ranks with the cheapest router (every predicted quality is
/// 0.5, so experts rank by price: cheap, mid, dear); the "flaky" tenant also sees e-broken, the cheapest of all, and e-slow, dearer than e-mid;
/// the "aggregating" tenant's policy turns <c>auto</c> into a vote of three.
/// </summary>
public sealed class EnsembleGateway : IAsyncLifetime
{
    public const string FlakyKey = "sk-ensemble-flaky";
    public const string AggregatingKey = "sk-ensemble-aggregating";

    public GatewayHost Host { get; private set; } = null!;

    public RecordingUpstream Recorder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Recorder = await RecordingUpstream.StartAsync();
        string[] demo = ["e-cheap", "e-mid", "e-dear", "e-judge", "e-writer", "e-recorder"];
        string[] flaky = ["e-broken", "e-cheap", "e-mid", "e-slow", "e-judge"];
        Host = await new GatewayBuilder()
            .SimulatedExpert("e-broken", 0.05, """{"answer": "7"}""")
            .SimulatedExpert("e-cheap", 0.1, """{"reasoning": "3 + 39", "answer": "42"}""")
            .SimulatedExpert("e-mid", 0.2, """{"reasoning": "39 + 3 <exact>", "answer": "$42.00"}""")
            .SimulatedExpert("e-dear", 0.3, """{"reasoning": "misread", "answer": "41"}""")
            .SimulatedExpert("e-judge", 5, "BEST: 3")
            .SimulatedExpert("e-writer", 6, "Merged: the answer is 42, as two of three experts found.")
            .Expert("e-recorder", Recorder.BaseAddress, 7)
            .SimulatedExpert("e-slow", 1, """{"answer": "42"}""")
            .SimulatorFault("e-broken", "status", ("StatusCode", "500"))
            .SimulatorFault("e-slow", "delay", ("DelayMs", "4000"))
            .Tenant("demo", GatewayHost.DemoKey, allowed: demo, policy: ("Lambda", "0.06"))
            .Tenant("flaky", FlakyKey, allowed: flaky)
            .Tenant("aggregating", AggregatingKey, allowed: ["e-cheap", "e-mid", "e-dear"],
                policy: [("Ensemble:Enabled", "true"), ("Ensemble:Strategy", "vote"), ("Ensemble:MaxExperts", "3")])
            .Ensemble("vote3", ("Mode", "Vote"), ("Size", "3"))
            .Ensemble("vote4-impatient", ("Mode", "Vote"), ("Size", "4"), ("CallTimeoutSeconds", "1"))
            .Ensemble("judge3", ("Mode", "Judge"), ("Size", "3"), ("Judge", "e-judge"))
            .Ensemble("judge-recorded", ("Mode", "Judge"), ("Size", "3"), ("Judge", "e-recorder"))
            .Ensemble("moa3", ("Mode", "Moa"), ("Size", "3"), ("Aggregator", "e-writer"))
            .Ensemble("fan-wide", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "1.0"))
            .Ensemble("fan-narrow", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "0"))
            .Ensemble("cascade-trusting", ("Mode", "Cascade"), ("Size", "3"), ("VerifierThreshold", "0.4"))
            .Ensemble("cascade-doubting", ("Mode", "Cascade"), ("Size", "3"), ("VerifierThreshold", "0.9"))
            .Ensemble("cascade-judged", ("Mode", "Cascade"), ("Size", "3"), ("Judge", "e-judge"))
            .StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Recorder.DisposeAsync();
    }

    public static StringContent Chat(string model, string extra = "") => new(
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"What is 39 + 3? Answer in JSON."}]{{extra}}}""",
        Encoding.UTF8, "application/json");

    public static string[] Experts(HttpResponseMessage response) =>
        response.Headers.GetValues("x-expertrouter-experts").Single().Split(", ");

    public static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    public static async Task<(string Content, JsonElement Usage)> ReadAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        return (root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, root.GetProperty("usage").Clone());
    }
}
