using System.Globalization;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// The one way tests configure a gateway: the shipped configuration plus the test's own experts, tenants, ensembles,
/// simulator behaviour, settings and services, started as a <see cref="GatewayHost"/> on an ephemeral loopback port.
/// Experts and tenants added here come after the shipped ones (the shipped configuration holds 13 experts).
/// </summary>
public sealed class GatewayBuilder
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> _services = [];
    private int _nextExpert = 13;
    private int _nextTenant;
    private int _nextFault;
    private ILoggerProvider? _logging;
    private bool _managementPort = true;

    /// <summary>A configuration value; keys without a section are the gateway's own (<c>ExpertRouter:&lt;key&gt;</c>).</summary>
    public GatewayBuilder Setting(string key, string? value)
    {
        _settings[IsHostPath(key) ? key : Gateway(key)] = value;
        return this;
    }

    public GatewayBuilder Settings(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        return this;
    }

    /// <summary>An expert served by the simulator, priced <paramref name="usdPerMTok"/> for input and output; <paramref name="answer"/> fixes its reply.</summary>
    public GatewayBuilder SimulatedExpert(string id, double usdPerMTok, string? answer = null)
    {
        var index = Expert(id, usdPerMTok);
        Setting($"Experts:{index}:Simulated", "true");
        if (answer is not null)
        {
            Setting($"Simulator:Models:{id}:FixedAnswer", answer);
        }

        return this;
    }

    /// <summary>
    /// An expert at a base URL of the test's own (a recording upstream, an external simulator), speaking
    /// <paramref name="apis"/> natively besides chat completions.
    /// </summary>
    public GatewayBuilder Expert(string id, Uri baseUrl, double usdPerMTok, params string[] apis)
    {
        var index = Expert(id, usdPerMTok);
        Setting($"Experts:{index}:BaseUrls:0", baseUrl.ToString());
        for (var i = 0; i < apis.Length; i++)
        {
            Setting($"Experts:{index}:Apis:{i}", apis[i]);
        }

        return this;
    }

    /// <summary>An inline tenant with its key, router, allowed experts (all when none) and any further policy settings.</summary>
    public GatewayBuilder Tenant(string id, string key, string router = "cheapest", IReadOnlyList<string>? allowed = null, params (string Key, string Value)[] policy)
    {
        var index = _nextTenant++;
        Setting($"Tenants:{index}:Id", id);
        Setting($"Tenants:{index}:ApiKeySha256:0", ApiKeyHash.Sha256Hex(key));
        Setting($"Tenants:{index}:Router", router);
        for (var i = 0; i < (allowed?.Count ?? 0); i++)
        {
            Setting($"Tenants:{index}:AllowedExperts:{i}", allowed![i]);
        }

        foreach (var (key2, value) in policy)
        {
            Setting($"Tenants:{index}:{key2}", value);
        }

        return this;
    }

    public GatewayBuilder Ensemble(string name, params (string Key, string Value)[] options)
    {
        foreach (var (key, value) in options)
        {
            Setting($"Ensembles:{name}:{key}", value);
        }

        return this;
    }

    /// <summary>A fault the embedded simulator injects for <paramref name="model"/> (see the simulator's FaultRule).</summary>
    public GatewayBuilder SimulatorFault(string model, string kind, params (string Key, string Value)[] options)
    {
        var index = _nextFault++;
        Setting($"Simulator:Faults:{index}:Model", model);
        Setting($"Simulator:Faults:{index}:Kind", kind);
        foreach (var (key, value) in options)
        {
            Setting($"Simulator:Faults:{index}:{key}", value);
        }

        return this;
    }

    /// <summary>Services registered before the gateway's own (a fake clock, a recording accounting store).</summary>
    public GatewayBuilder Services(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>No management listener: <c>/metrics</c> stays on the API port, behind the metrics or admin key.</summary>
    public GatewayBuilder WithoutManagementPort()
    {
        _managementPort = false;
        return this;
    }

    public GatewayBuilder Logging(ILoggerProvider provider)
    {
        _logging = provider;
        return this;
    }

    public Task<GatewayHost> StartAsync()
    {
        // Every test gateway has its own management port, so metrics are scraped where production scrapes them.
        if (_managementPort)
        {
            _settings.TryAdd("ExpertRouter:Management:Urls:0", "http://127.0.0.1:0");
        }

        return GatewayHost.StartAsync(_settings, services => _services.ForEach(c => c(services)), _logging);
    }

    /// <summary>Shorthand for a gateway that only needs settings (and perhaps services or a logging provider).</summary>
    public static Task<GatewayHost> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, ILoggerProvider? logging = null)
    {
        var builder = new GatewayBuilder().Settings(settings ?? new Dictionary<string, string?>());
        if (services is not null)
        {
            builder.Services(services);
        }

        if (logging is not null)
        {
            builder.Logging(logging);
        }

        return builder.StartAsync();
    }

    private static bool IsHostPath(string key) => key.Split(':')[0] is "Logging" or "urls" or "Kestrel";

    private static string Gateway(string key) => key.StartsWith("ExpertRouter:", StringComparison.Ordinal) ? key : "ExpertRouter:" + key;

    private int Expert(string id, double usdPerMTok)
    {
        var index = _nextExpert++;
        var price = usdPerMTok.ToString(CultureInfo.InvariantCulture);
        Setting($"Experts:{index}:Id", id);
        Setting($"Experts:{index}:InputUsdPerMTok", price);
        Setting($"Experts:{index}:OutputUsdPerMTok", price);
        return index;
    }
}

/// <summary>The gateway as shipped, shared by a test class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await new GatewayBuilder().StartAsync();

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}
