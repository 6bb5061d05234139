using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ExpertRouter.Simulation.Tests.Hosting;

public sealed class EndpointMappingTests
{
    [Fact]
    public async Task MapSimulatedExperts_WithPrefix_ServesInsideAnotherHost()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSimulatedExperts(new SimulatorOptions { Seed = 4 });
        await using var app = builder.Build();
        app.MapSimulatedExperts("/sim/v1");
        app.MapGet("/health", () => "ok");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address + "/sim/v1/") };

        var (response, json) = await client.PostJsonAsync("chat/completions", SimulatorClient.Chat("m", "hi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", json["object"]!.GetValue<string>());
        Assert.Equal(1, app.Services.GetRequiredService<SimulatorRequestCounter>().ChatRequests("m"));
        await app.StopAsync();
    }

    [Fact]
    public void AddSimulatedExperts_InvalidOptions_ThrowsListingEveryProblem()
    {
        var services = new ServiceCollection();

        var failure = Assert.Throws<SimulatorOptionsException>(() => services.AddSimulatedExperts(new SimulatorOptions { PerTokenDelayMs = -1, Faults = [new FaultRule()] }));

        Assert.Equal(2, failure.Problems.Count);
        Assert.Contains("PerTokenDelayMs", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Faults:0:Kind", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MidstreamCut_PastTheLastEvent_StillWithholdsDone()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { MinAnswerTokens = 2, MaxAnswerTokens = 2 });
        using var client = SimulatorClient.For(server);
        var body = SimulatorClient.Chat("m", "hi");
        body["stream"] = true;

        var response = await client.SendAsync(SimulatorClient.Post("chat/completions", body, "midstream-cut;after=100"), HttpCompletionOption.ResponseHeadersRead);
        var received = new List<string>();
        var failure = await Record.ExceptionAsync(() => SimulatorClient.ReadEventsAsync(response, received));

        Assert.NotNull(failure);
        Assert.Equal(4, received.Count);
        Assert.Equal("stop", JsonNode.Parse(received[^1])!["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }
}
