using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.RequestLog;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>A request log for step tests that construct steps by hand: off, as in a gateway without <c>--request-log</c>.</summary>
internal static class RequestLogs
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static RequestLogQueue Disabled() => new(
        Options.Create(new GatewayOptions()), new RequestIndex(new RequestLogOptions(), TimeProvider.System, null), new RequestLogMetrics(Meters));
}
