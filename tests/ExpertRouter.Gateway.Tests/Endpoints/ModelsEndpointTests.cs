using System.Net;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Endpoints;

public sealed class ModelsEndpointTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Models_ListsExperts_ThenAutoRoutersAndEnsembles()
    {
        using var response = await fixture.Host.Client.GetAsync("/v1/models");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var ids = body.RootElement.GetProperty("data").EnumerateArray().Select(m => (Id: m.GetProperty("id").GetString()!, Kind: m.GetProperty("expertrouter_kind").GetString()!)).ToArray();
        Assert.Equal("list", body.RootElement.GetProperty("object").GetString());
        Assert.Contains(("gpt-4o-2024-08-06", "chat"), ids);
        Assert.Contains(("text-embedding-sim", "embeddings"), ids);
        Assert.Contains(("auto", "router"), ids);
        Assert.Contains(("router/irt-ze12", "router"), ids);
        Assert.Contains(("ensemble/vote3", "ensemble"), ids);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing-here", HttpStatusCode.NotFound, "not_found")]
    [InlineData("GET", "/v1/chat/completions", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    public async Task UnknownRoute_AnswersInOpenAIsShape(string method, string path, HttpStatusCode status, string code)
    {
        using var response = await fixture.Host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await ErrorAssert.IsEnvelopeAsync(response, status, code);
    }
}
