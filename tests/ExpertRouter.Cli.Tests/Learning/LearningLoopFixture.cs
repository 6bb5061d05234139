using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Cli.Tests.Learning;

/// <summary>
/// A small recorded benchmark and a gateway that replays it, for the learning loop end to end. Math prompts are
/// answered well by e2e-dear and e2e-math, code prompts by e2e-dear and e2e-code; e2e-dear costs a hundred times the
/// others. Every expert's recorded response is its own text, so e2e-judge (a replay judge) finds each answer's
/// recorded score. The starting router "e2e" knows e2e-dear and e2e-math only; tenant "acme" stores its prompts and
/// explores at rate 0.2, tenant "probe" logs no prompt text and never explores (it measures without teaching), and
/// tenant "labeller" may call the judge too (expertrouter label asks it through the gateway).
/// </summary>
internal sealed class LearningLoopFixture : IAsyncDisposable
{
    public const string AcmeKey = "sk-e2e-acme-0123456789";
    public const string ProbeKey = "sk-e2e-probe-0123456789";
    public const string LabelKey = "sk-e2e-label-0123456789";
    public const string AdminKey = "sk-e2e-admin-0123456789";
    public const string RouterName = "e2e";
    public static readonly string[] Pool = ["e2e-dear", "e2e-math", "e2e-code"];

    private static readonly Dictionary<string, double> Prices = new(StringComparer.Ordinal)
    {
        ["e2e-dear"] = 10, ["e2e-math"] = 0.1, ["e2e-code"] = 0.1, ["e2e-judge"] = 0.01,
    };

    private WebApplication? _app;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "er-e2e-" + Guid.NewGuid().ToString("N"));

    public string DataFile => Path.Combine(Root, "recorded.jsonl");

    public string LogDirectory => Path.Combine(Root, "log");

    public string RouterFolder => Path.Combine(Root, "routers", RouterName);

    public Uri Address { get; private set; } = null!;

    /// <summary>The recorded data (240 train and 60 dev prompts) and models.json.</summary>
    public void WriteData()
    {
        Directory.CreateDirectory(Root);
        RoutingDatasetWriter.Write(DataFile, Enumerable.Range(0, 300).Select(Record));
        File.WriteAllText(Path.Combine(Root, "models.json"), JsonSerializer.Serialize(Prices.ToDictionary(
            p => p.Key, p => new Dictionary<string, double> { ["input_usd_per_mtok"] = p.Value, ["output_usd_per_mtok"] = p.Value })));
    }

    /// <param name="redis">A Redis endpoint: the request log goes to its streams too, as a replica's would.</param>
    public async Task StartGatewayAsync(string? redis = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ExpertRouter:Routers:0:Path"] = RouterFolder,
            ["ExpertRouter:DefaultRouter"] = RouterName,
            ["ExpertRouter:AdminKeySha256"] = ApiKeyHash.Sha256Hex(AdminKey),
            ["ExpertRouter:RouterReload:Watch"] = "false",
            ["ExpertRouter:RequestLog:Directory"] = LogDirectory,
            ["ExpertRouter:Simulator:ReplayDataset"] = DataFile,
            ["ExpertRouter:Simulator:Models:e2e-judge:ReplayJudge"] = "true",
            ["ExpertRouter:Exploration:Seed"] = "7",
            ["ExpertRouter:Exploration:Concurrency"] = "4",
            ["ExpertRouter:Exploration:QueueCapacity"] = "1000",
        };
        if (redis is not null)
        {
            settings["ExpertRouter:Redis"] = redis;
        }

        var index = 13;
        foreach (var (id, price) in Prices)
        {
            settings[$"ExpertRouter:Experts:{index}:Id"] = id;
            settings[$"ExpertRouter:Experts:{index}:Simulated"] = "true";
            settings[$"ExpertRouter:Experts:{index}:InputUsdPerMTok"] = price.ToString(CultureInfo.InvariantCulture);
            settings[$"ExpertRouter:Experts:{index}:OutputUsdPerMTok"] = price.ToString(CultureInfo.InvariantCulture);
            index++;
        }

        Tenant(settings, 0, "acme", AcmeKey, ("Logging:Prompts", "Store"), ("Exploration:Rate", "0.2"), ("Exploration:Judge", "e2e-judge"),
            ("Exploration:DailyBudgetUsd", "100"), ("Exploration:MaxExperts", "2"));
        Tenant(settings, 1, "probe", ProbeKey, ("Logging:Prompts", "Off"));
        Tenant(settings, 2, "labeller", LabelKey, ("AllowedExperts:3", "e2e-judge"));
        _app = await GatewayApp.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
        });
        await _app.StartAsync();
        Address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a)).First();
    }

    public HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public static bool IsMath(int i) => i % 2 == 0;

    public static RoutingRecord Record(int i) => new()
    {
        Id = $"e2e-{i:D3}",
        Benchmark = "e2e",
        Task = IsMath(i) ? "math" : "code",
        Split = i < 240 ? "train" : "dev",
        Prompt = IsMath(i)
            ? $"Solve the equation {i} x + {i % 7} = {3 * i + 11} and give x as a fraction."
            : $"What does this python function return for s = 'ab{i}': def f{i}(s): return s[::-{1 + (i % 3)}]",
        Outcomes = Pool.ToDictionary(e => e, e => new RecordedOutcome
        {
            Score = e == "e2e-dear" || (e == "e2e-math") == IsMath(i) ? 1 : 0,
            OutputTokensEst = 40,
            Response = $"{e} answers prompt {i}: " + string.Join(' ', Enumerable.Repeat(IsMath(i) ? "x equals" : "the string", 20)),
        }, StringComparer.Ordinal),
    };

    private static void Tenant(Dictionary<string, string?> settings, int index, string id, string key, params (string Key, string Value)[] policy)
    {
        settings[$"ExpertRouter:Tenants:{index}:Id"] = id;
        settings[$"ExpertRouter:Tenants:{index}:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(key);
        settings[$"ExpertRouter:Tenants:{index}:Router"] = RouterName;
        settings[$"ExpertRouter:Tenants:{index}:CostTarget:MaxCostFractionOfBest"] = "0.5";
        for (var e = 0; e < Pool.Length; e++)
        {
            settings[$"ExpertRouter:Tenants:{index}:AllowedExperts:{e}"] = Pool[e];
        }

        foreach (var (name, value) in policy)
        {
            settings[$"ExpertRouter:Tenants:{index}:{name}"] = value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
