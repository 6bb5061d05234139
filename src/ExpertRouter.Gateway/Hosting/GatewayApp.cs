using System.Diagnostics.CodeAnalysis;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Simulation;

namespace ExpertRouter.Gateway.Hosting;

/// <summary>Builds the gateway application from configuration: the composition root shared by Program and tests.</summary>
public static partial class GatewayApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Option records are immutable (init-only properties), which the configuration binder's source generator cannot
    /// set, so the reflection binder binds them. Natively compiled, their members survive because the gateway roots its
    /// own assemblies (<c>TrimmerRootAssembly</c> in the project file), none of them holds a value-type collection the
    /// binder would have to instantiate at run time, and the dictionaries it fills by reflection are kept here.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The option types' assemblies are rooted.")]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(Dictionary<string, EnsembleOptions>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(KeyValuePair<string, EnsembleOptions>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(Dictionary<string, TenantCacheOptions>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(KeyValuePair<string, TenantCacheOptions>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(Dictionary<string, string>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(KeyValuePair<string, string>))]
    // For SimulatorOptions.Bind: stated on that method instead, the native build did not keep them (checked with
    // Simulator:Models:<id>:FixedAnswer), so every dictionary the gateway's start-up binds is kept here.
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(Dictionary<string, SimulatedModelOptions>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(KeyValuePair<string, SimulatedModelOptions>))]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reference-type collections are bound.")]
    private static GatewayOptions BindOptions(IConfiguration section) => section.Get<GatewayOptions>() ?? new GatewayOptions();

    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root is the app folder so the embedded appsettings.json is found wherever the gateway is started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // '--policies <dir>', '--redis <connection string>' and '--request-log <dir>' are short for the ExpertRouter settings.
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        configure?.Invoke(builder);
        var options = BindOptions(builder.Configuration.GetSection(GatewayOptions.SectionName));
        var listeners = new ManagementListeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The gateway enforces its own limit (with an OpenAI 413); Kestrel's, a little higher, lets it drain a
            // modest overshoot so the client reads that 413 instead of a reset connection.
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes + (1 << 20);
            if (options.Management.Urls.Count > 0)
            {
                listeners.Configure(kestrel, (builder.Configuration["urls"] ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries), options.Management);
            }
        });

        SimulatedExpertServer? simulator = null;
        if (options.Experts.Any(e => e.Simulated) && string.IsNullOrEmpty(options.SimulatorUrl))
        {
            var simulatorOptions = SimulatorOptions.Bind(builder.Configuration.GetSection($"{GatewayOptions.SectionName}:Simulator"));
            simulator = await SimulatedExpertServer.StartAsync(simulatorOptions);
        }

        try
        {
            var simulatorBase = simulator?.BaseAddress ?? ExternalSimulator(options);
            // A malformed SimulatorUrl leaves simulated experts unbound so the validator below reports it with the rest.
            var experts = simulatorBase is null && !string.IsNullOrEmpty(options.SimulatorUrl)
                ? options.Experts.ToArray()
                : ExpertCatalog.BindSimulated(options.Experts, simulatorBase).ToArray();
            builder.Services.AddExpertRouter(options, experts);
            var app = builder.Build();

            var routers = app.Services.GetRequiredService<RouterRegistry>();
            var errors = GatewayOptionsValidator.Validate(options, routers.Names).ToList();
            errors.AddRange(routers.StartupErrors.Select(e => "ExpertRouter:Routers: " + e));
            errors.AddRange(app.Services.GetRequiredService<CacheEmbedders>().StartupErrors);
            errors.AddRange(RequestLogStartup.Check(options.RequestLog));
            errors.AddRange(TenantStartup.Check(app.Services, options));
            if (options.Management.Urls.Count > 0)
            {
                errors.AddRange((builder.Configuration["urls"] ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries)
                    .Where(url => !ListenAddress.TryParse(url, out _))
                    .Select(url => $"urls: '{url}' must be an http://host:port address when ExpertRouter:Management:Urls is set."));
            }
            if (errors.Count > 0)
            {
                throw new InvalidOperationException("Invalid ExpertRouter configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => " - " + e)));
            }

            if (simulator is not null)
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Simulator");
                Log.EmbeddedSimulator(logger, simulator.BaseAddress);
                app.Lifetime.ApplicationStopped.Register(() => simulator.DisposeAsync().AsTask().GetAwaiter().GetResult());
            }

            return app.MapExpertRouter();
        }
        catch
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }

            throw;
        }
    }

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--policies"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Policies)}",
        ["--redis"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Redis)}",
        ["--request-log"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.RequestLog)}:{nameof(RequestLogOptions.Directory)}",
    };

    /// <summary>The external simulator's address; an invalid one is left to the validator to report.</summary>
    private static Uri? ExternalSimulator(GatewayOptions options) =>
        Uri.TryCreate(options.SimulatorUrl, UriKind.Absolute, out var address) ? address : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.EmbeddedSimulator, Level = LogLevel.Information, Message = "Simulated experts are served in-process at {Address}.")]
        public static partial void EmbeddedSimulator(ILogger logger, Uri address);
    }
}
