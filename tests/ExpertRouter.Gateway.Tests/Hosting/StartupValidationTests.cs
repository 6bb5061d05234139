using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Hosting;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Start_BadConfiguration_FailsListingEveryError()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = "auto",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = "ftp://nowhere",
            ["ExpertRouter:DefaultRouter"] = "no-such-router",
        }));

        Assert.Contains("'auto' is reserved", error.Message);
        Assert.Contains("'ftp://nowhere' is not an absolute http(s) URL", error.Message);
        Assert.Contains("unknown router 'no-such-router'", error.Message);
    }
}
