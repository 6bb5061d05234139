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
        var settings = new Dictionary<string, string?>
        {
            ["ExpertRouter:Tenants:0:Id"] = "demo",
            ["ExpertRouter:Tenants:0:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(GatewayHost.DemoKey),
            ["ExpertRouter:Tenants:0:Router"] = "cheapest",
            ["ExpertRouter:Tenants:0:Lambda"] = "0.06",
            ["ExpertRouter:Tenants:1:Id"] = "flaky",
            ["ExpertRouter:Tenants:1:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(FlakyKey),
            ["ExpertRouter:Tenants:1:Router"] = "cheapest",
            ["ExpertRouter:Tenants:2:Id"] = "aggregating",
            ["ExpertRouter:Tenants:2:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(AggregatingKey),
            ["ExpertRouter:Tenants:2:Router"] = "cheapest",
            ["ExpertRouter:Tenants:2:AllowedExperts:0"] = "e-cheap",
            ["ExpertRouter:Tenants:2:AllowedExperts:1"] = "e-mid",
            ["ExpertRouter:Tenants:2:AllowedExperts:2"] = "e-dear",
            ["ExpertRouter:Tenants:2:Aggregation:Enabled"] = "true",
            ["ExpertRouter:Tenants:2:Aggregation:Strategy"] = "vote",
            ["ExpertRouter:Tenants:2:Aggregation:MaxExperts"] = "3",
            ["ExpertRouter:Simulator:Faults:0:Model"] = "e-broken",
            ["ExpertRouter:Simulator:Faults:0:Kind"] = "status",
            ["ExpertRouter:Simulator:Faults:0:StatusCode"] = "500",
            ["ExpertRouter:Simulator:Faults:1:Model"] = "e-slow",
            ["ExpertRouter:Simulator:Faults:1:Kind"] = "delay",
            ["ExpertRouter:Simulator:Faults:1:DelayMs"] = "4000",
        };
        string[] demo = ["e-cheap", "e-mid", "e-dear", "e-judge", "e-writer", "e-recorder"];
        string[] flaky = ["e-broken", "e-cheap", "e-mid", "e-slow", "e-judge"];
        Expert(settings, 13, "e-broken", 0.05, """{"answer": "7"}""");
        Expert(settings, 14, "e-cheap", 0.1, """{"reasoning": "3 + 39", "answer": "42"}""");
        Expert(settings, 15, "e-mid", 0.2, """{"reasoning": "39 + 3 <exact>", "answer": "$42.00"}""");
        Expert(settings, 16, "e-dear", 0.3, """{"reasoning": "misread", "answer": "41"}""");
        Expert(settings, 17, "e-judge", 5, "BEST: 3");
        Expert(settings, 20, "e-slow", 1, """{"answer": "42"}""");
        Expert(settings, 18, "e-writer", 6, "Merged: the answer is 42, as two of three experts found.");
        settings["ExpertRouter:Experts:19:Id"] = "e-recorder";
        settings["ExpertRouter:Experts:19:BaseUrls:0"] = Recorder.BaseAddress.ToString();
        settings["ExpertRouter:Experts:19:InputUsdPerMTok"] = "7";
        settings["ExpertRouter:Experts:19:OutputUsdPerMTok"] = "7";
        for (var i = 0; i < demo.Length; i++)
        {
            settings[$"ExpertRouter:Tenants:0:AllowedExperts:{i}"] = demo[i];
        }

        for (var i = 0; i < flaky.Length; i++)
        {
            settings[$"ExpertRouter:Tenants:1:AllowedExperts:{i}"] = flaky[i];
        }

        Ensemble(settings, "vote3", ("Mode", "Vote"), ("Size", "3"));
        Ensemble(settings, "vote4-impatient", ("Mode", "Vote"), ("Size", "4"), ("CallTimeoutSeconds", "1"));
        Ensemble(settings, "judge3", ("Mode", "Judge"), ("Size", "3"), ("Judge", "e-judge"));
        Ensemble(settings, "judge-recorded", ("Mode", "Judge"), ("Size", "3"), ("Judge", "e-recorder"));
        Ensemble(settings, "moa3", ("Mode", "Moa"), ("Size", "3"), ("Aggregator", "e-writer"));
        Ensemble(settings, "fan-wide", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "1.0"));
        Ensemble(settings, "fan-narrow", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "0"));
        Ensemble(settings, "cascade-trusting", ("Mode", "Cascade"), ("Size", "3"), ("VerifierThreshold", "0.4"));
        Ensemble(settings, "cascade-doubting", ("Mode", "Cascade"), ("Size", "3"), ("VerifierThreshold", "0.9"));
        Ensemble(settings, "cascade-judged", ("Mode", "Cascade"), ("Size", "3"), ("Judge", "e-judge"));
        Host = await GatewayHost.StartAsync(settings);
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

    private static void Expert(Dictionary<string, string?> settings, int index, string id, double price, string answer)
    {
        var p = price.ToString(CultureInfo.InvariantCulture);
        settings[$"ExpertRouter:Experts:{index}:Id"] = id;
        settings[$"ExpertRouter:Experts:{index}:Simulated"] = "true";
        settings[$"ExpertRouter:Experts:{index}:InputUsdPerMTok"] = p;
        settings[$"ExpertRouter:Experts:{index}:OutputUsdPerMTok"] = p;
        settings[$"ExpertRouter:Simulator:Models:{id}:FixedAnswer"] = answer;
    }

    private static void Ensemble(Dictionary<string, string?> settings, string name, params (string Key, string Value)[] values)
    {
        foreach (var (key, value) in values)
        {
            settings[$"ExpertRouter:Ensembles:{name}:{key}"] = value;
        }
    }
}
