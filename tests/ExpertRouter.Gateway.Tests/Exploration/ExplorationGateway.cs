using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;

namespace ExpertRouter.Gateway.Tests.Exploration;

/// <summary>
/// One gateway whose tenants explore (or not). The cheapest router serves ex-cheap ("Paris"); ex-mid and ex-dear
/// answer otherwise, ex-slow after 3 s, ex-pricey costs 100 USD/MTok, ex-judge always says 0.75 and ex-recorder
/// records what it is asked. "explorer" explores every request with two other candidates; "quiet" never does;
/// "slowpoke" explores with ex-slow; "budgeted" explores with ex-pricey on a 0.05 USD budget; "referenced" is
/// judged by ex-recorder.
/// </summary>
public sealed class ExplorationGateway : IAsyncLifetime
{
    public const string ExplorerKey = "sk-explore-explorer";
    public const string QuietKey = "sk-explore-quiet";
    public const string SlowpokeKey = "sk-explore-slowpoke";
    public const string BudgetedKey = "sk-explore-budgeted";
    public const string ReferencedKey = "sk-explore-referenced";
    public const double Budget = 0.05;

    public LogFolder Log { get; } = new();

    public GatewayHost Host { get; private set; } = null!;

    public RecordingUpstream Recorder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Recorder = await RecordingUpstream.StartAsync();
        var longAnswer = string.Join(' ', Enumerable.Repeat("expensive words", 200));
        Host = await new GatewayBuilder()
            .SimulatedExpert("ex-cheap", 0.1, "Paris")
            .SimulatedExpert("ex-mid", 0.5, "Paris, France")
            .SimulatedExpert("ex-dear", 2, "Lyon")
            .SimulatedExpert("ex-slow", 1, "Paris, slowly")
            .SimulatedExpert("ex-pricey", 100, longAnswer)
            .SimulatedExpert("ex-judge", 0.01, "0.75")
            .Expert("ex-recorder", Recorder.BaseAddress, 0.01)
            .SimulatorFault("ex-slow", "delay", ("DelayMs", "3000"))
            .Tenant("explorer", ExplorerKey, allowed: ["ex-cheap", "ex-mid", "ex-dear"], policy: Explores("ex-judge", "10", "2", ("Logging:Prompts", "Store")))
            .Tenant("quiet", QuietKey, allowed: ["ex-cheap", "ex-mid", "ex-dear"], policy: ("Logging:Prompts", "Store"))
            .Tenant("slowpoke", SlowpokeKey, allowed: ["ex-cheap", "ex-slow"], policy: Explores("ex-judge", "10", "1"))
            .Tenant("budgeted", BudgetedKey, allowed: ["ex-cheap", "ex-pricey"], policy: Explores("ex-judge", "0.05", "1"))
            .Tenant("referenced", ReferencedKey, allowed: ["ex-cheap", "ex-mid"], policy: Explores("ex-recorder", "10", "1", ("Logging:Prompts", "Store")))
            .Setting("Exploration:Concurrency", "8")
            .Setting("Exploration:MaxOutputTokens", "64")
            .Setting("RequestLog:Directory", Log.Path)
            .StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Recorder.DisposeAsync();
        Log.Dispose();
    }

    /// <summary>What <paramref name="tenant"/>'s ledger holds today under <c>exploration/…</c>.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> ExplorationLedgerAsync(string tenant)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var ledger = await Host.Services.GetRequiredService<ITenantLedger>().GetLedgerAsync(tenant, today.AddDays(-1), today.AddDays(1));
        return [.. ledger.Where(e => e.Expert.StartsWith("exploration/", StringComparison.Ordinal))];
    }

    private static (string, string)[] Explores(string judge, string budget, string maxExperts, params (string, string)[] more) =>
    [
        ("Exploration:Rate", "1"), ("Exploration:Judge", judge), ("Exploration:DailyBudgetUsd", budget), ("Exploration:MaxExperts", maxExperts), .. more,
    ];
}
