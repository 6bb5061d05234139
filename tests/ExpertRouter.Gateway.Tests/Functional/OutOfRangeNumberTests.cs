using System.Net;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// Numbers a double cannot hold, in the default run (demo tenant, exact cache on): the cache keys them from their
/// digits, so none of them is a 500, and a repeat of the same deterministic request is a cache hit.
/// </summary>
public sealed class OutOfRangeNumberTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayBuilder.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("""{"model":"auto","temperature":0,"foo":1e999,"messages":[{"role":"user","content":"Name a prime."}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"top_p":1e400,"messages":[{"role":"user","content":"Name a prime."}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"tools":[{"type":"function","function":{"name":"pick","parameters":{"type":"object","properties":{"n":{"type":"number","maximum":1e999}}}}}],"messages":[{"role":"user","content":"Pick a number."}]}""")]
    [InlineData("""{"model":"ensemble/vote3","temperature":1e400,"messages":[{"role":"user","content":"What is 39 + 3? Answer in JSON."}]}""")]
    [InlineData("""{"model":"ensemble/vote3","temperature":0,"seed":-1e999,"messages":[{"role":"user","content":"What is 39 + 3? Answer in JSON."}]}""")]
    public async Task Request_NumberNoDoubleCanHold_IsNeverAServerError(string json)
    {
        using var first = await PostAsync(json);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var second = await PostAsync(json);

        Assert.True((int)first.StatusCode < 500, $"{(int)first.StatusCode}: {firstBody}");
        Assert.True((int)second.StatusCode < 500, $"{(int)second.StatusCode}");
        if ((int)first.StatusCode >= 400)
        {
            using var envelope = JsonDocument.Parse(firstBody);
            Assert.True(envelope.RootElement.GetProperty("error").TryGetProperty("code", out _));
        }
        else if (!json.Contains("ensemble/", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("hit", second.Headers.GetValues("x-expertrouter-cache").Single());
        }
    }

    private Task<HttpResponseMessage> PostAsync(string json) =>
        _gateway.Client.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"));
}
