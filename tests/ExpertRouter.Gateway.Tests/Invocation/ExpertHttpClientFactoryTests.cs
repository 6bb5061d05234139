using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Tests.Functional;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Tests.Invocation;

public sealed class ExpertHttpClientFactoryTests
{
    [Fact]
    public async Task Gateway_UsesExpertFactory_WithEachExpertsConnectTimeout()
    {
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = "slow-to-connect",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = "http://127.0.0.1:9/v1",
            ["ExpertRouter:Experts:13:Timeouts:ConnectSeconds"] = "1.5",
        });

        // A connect timeout cannot be provoked on loopback (connections succeed or are refused at once), so the
        // wiring is what is checked: YARP builds its per-cluster clients with this factory and this table.
        Assert.IsType<ExpertHttpClientFactory>(gateway.Services.GetRequiredService<IForwarderHttpClientFactory>());
        var table = gateway.Services.GetRequiredService<ExpertTimeoutTable>();
        Assert.Equal(TimeSpan.FromSeconds(1.5), table.For("slow-to-connect").Connect);
        Assert.Equal(TimeSpan.FromSeconds(5), table.For("gpt-4o-2024-08-06").Connect);
    }
}
