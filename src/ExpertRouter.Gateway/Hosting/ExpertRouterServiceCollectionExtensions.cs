using System.Diagnostics.CodeAnalysis;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Aggregation;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Resilience;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExpertRouter.Gateway.Hosting;

public static class ExpertRouterServiceCollectionExtensions
{
    /// <summary>Health checks with this tag decide <c>/readyz</c>; <c>/healthz</c> only says the process is alive.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The runtime's own meter (.NET 9 and later).</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Registers the gateway: experts (with simulated ones already bound to a simulator address), the routing
    /// steps, the built-in routers and YARP configured with one cluster per expert.
    /// </summary>
    public static ExpertRouterBuilder AddExpertRouter(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        // Minimal API results (admin ProblemDetails included) resolve types from the gateway's generated JSON first:
        // the natively compiled gateway has no reflection-based serializer to fall back on.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJson.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ExpertCatalog(experts));
        var credentials = new ExpertCredentials(experts, Environment.GetEnvironmentVariable);
        services.AddSingleton(credentials);
        services.AddSingleton<RouterRegistry>();
        services.AddTenantState(options);
        services.AddSingleton<GatewayMetrics>();
        services.AddResponseCache(options.Cache);
        services.AddHealthChecks().AddCheck<RoutersReadyCheck>("routers", tags: [ReadyTag]);
        services.AddExpertResilience(options, experts);
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

        services.AddReverseProxy()
            .LoadFromMemory(ExpertProxyConfig.Routes(), ExpertProxyConfig.Clusters(experts, TimeSpan.FromSeconds(options.UpstreamTimeoutSeconds), options.Resilience.ActiveHealthCheck))
            .AddTransforms(builder => ForwardingTransforms.Apply(builder, credentials, options.MaxFallbacks));

        services.AddEnsembles(options, experts);
        var builder = new ExpertRouterBuilder(services).AddRouter<CheapestRouter>();
        foreach (var router in options.Routers)
        {
            builder.AddOnnxRouter(router);
        }

        return builder;
    }
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

    /// <summary>An IRT skill router served with ONNX Runtime: one session for the process, micro-batched.</summary>
    public ExpertRouterBuilder AddOnnxRouter(LearnedRouterOptions router)
    {
        Services.AddSingleton<IRouter>(provider => IrtSkillRouter.Load(
            router.ResolvedPath(),
            router.Serving,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Routers"),
            provider.GetRequiredService<TimeProvider>()));
        return this;
    }
}
