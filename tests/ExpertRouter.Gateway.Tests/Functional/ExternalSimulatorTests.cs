using System.Net;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary><c>ExpertRouter:SimulatorUrl</c> points simulated experts at a simulator outside the gateway.</summary>
public sealed class ExternalSimulatorTests
{
    [Fact]
    public async Task SimulatorUrl_Set_SimulatedExpertsAreForwardedThere()
    {
        await using var external = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:SimulatorUrl"] = external.BaseAddress.ToString(),
        });

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(external.Requests);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Contains("\"gpt-4o-mini-2024-07-18\"", Encoding.UTF8.GetString(received.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulatorUrl_NotAUrl_StartFailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:SimulatorUrl"] = "not a url",
        }));

        Assert.Contains("ExpertRouter:SimulatorUrl: 'not a url' is not an absolute http(s) URL", error.Message, StringComparison.Ordinal);
    }
}
