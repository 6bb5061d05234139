using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// YARP's client factory with each expert's connect timeout: YARP builds one client per cluster, and a cluster is an
/// expert, so the connect limit is per expert without touching the forwarder.
/// </summary>
internal sealed class ExpertHttpClientFactory(ExpertTimeoutTable timeouts, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = timeouts.For(context.ClusterId).Connect;
    }
}
