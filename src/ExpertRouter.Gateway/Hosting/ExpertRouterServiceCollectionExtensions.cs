using System.Diagnostics.CodeAnalysis;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Console;
using ExpertRouter.Gateway.Endpoints;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Exploration;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExpertRouter.Gateway.Hosting;

public static class ExpertRouterServiceCollectionExtensions
{
    /// <summary>The runtime's own meter (.NET 9 and later).</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Registers the gateway: experts (with simulated ones already bound to a simulator address), tenants and their
    /// accounting, the routing plan's parts (routers, ensembles), the response cache, and the expert invocation service
    /// over YARP's clusters.
    /// </summary>
    public static ExpertRouterBuilder AddExpertRouter(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        // Minimal API results (the admin documents) resolve types from the gateway's generated JSON first:
        // the natively compiled gateway has no reflection-based serializer to fall back on.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, EndpointJson.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ExpertCatalog(experts));
        services.AddSingleton(new ExpertCredentials(experts, Environment.GetEnvironmentVariable));
        services.AddSingleton(sp => new RouterRegistry(
            sp.GetServices<IRouter>(),
            sp.GetServices<RouterFolderSource>(),
            RouterLoader(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Routers")));
        services.AddSingleton<ShadowRouting>();
        services.AddHostedService<RouterFolderWatcher>();
        services.AddSingleton(new EnsembleCatalog(options.Ensembles));
        services.AddSingleton<CapacityShaping>();
        services.AddSingleton<RoutingPlanner>();
        services.AddTenantState(options);
        services.AddSingleton<GatewayMetrics>();
        services.AddExpertCapacity(options, experts);
        services.AddResponseCache(options.Cache);
        services.AddHealthChecks().AddCheck<RoutersReadyCheck>("routers", tags: [HealthTags.Ready]);
        services.AddExpertInvocation(options, experts);
        services.AddEnsembles(options, experts);
        services.AddClientProtocols();
        if (options.Redis is { Length: > 0 })
        {
            // Responses continued with previous_response_id are found on any replica.
            services.AddRedisResponseState();
        }

        services.AddRequestLog(options);
        services.AddExploration();
        services.AddConsole(options);
        // "System.Runtime" is .NET's built-in meter (GC, allocated bytes, CPU time, thread pool), read only on scrape;
        // bench/run.sh divides its allocated-bytes and CPU counters by the requests served.
        var telemetry = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName, TenantMetrics.MeterName, RuntimeMeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        // Spans are only recorded when a collector is configured (OTEL_EXPORTER_OTLP_ENDPOINT): a tracer provider
        // without an exporter still samples and fills an Activity per request and per step, for no reader
        // (bench/README.md: about 2 KB and a few µs per request).
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            telemetry.WithTracing(tracing => tracing.AddSource(GatewayMetrics.MeterName).AddAspNetCoreInstrumentation().AddOtlpExporter());
        }

        var builder = new ExpertRouterBuilder(services).AddRouter<CheapestRouter>();
        foreach (var router in options.Routers)
        {
            builder.AddOnnxRouter(router);
        }

        return builder;
    }

    /// <summary>How router folders load: the IRT router (a test may register its own loader first).</summary>
    private static RouterFolderLoader RouterLoader(IServiceProvider services) =>
        services.GetService<RouterFolderLoader>() ?? ((folder, serving) => IrtSkillRouter.Load(
            folder,
            serving,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Routers"),
            services.GetRequiredService<TimeProvider>()));
}

/// <summary>Adds optional parts to the gateway, in the style of <c>AddReverseProxy()</c>'s builder.</summary>
public sealed class ExpertRouterBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    public ExpertRouterBuilder AddRouter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TRouter>()
        where TRouter : class, IRouter
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouter, TRouter>());
        return this;
    }

    public ExpertRouterBuilder AddRouter(IRouter router)
    {
        Services.AddSingleton(router);
        return this;
    }

    /// <summary>
    /// An IRT skill router served with ONNX Runtime (one session for the process, micro-batched) from a router folder,
    /// which the registry owns: it swaps in a new version when the folder changes.
    /// </summary>
    public ExpertRouterBuilder AddOnnxRouter(LearnedRouterOptions router)
    {
        Services.AddSingleton(new RouterFolderSource(Path.GetFullPath(router.ResolvedPath()), router.Serving));
        return this;
    }
}
