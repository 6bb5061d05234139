using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Simulation.Tests.Embeddings;

public sealed class EmbeddingTests
{
    [Fact]
    public async Task Post_ArrayInput_ReturnsUnitVectorsPerInputWithUsage()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions { EmbeddingDimensions = 64 });
        using var client = SimulatorClient.For(server);

        var (response, json) = await client.PostJsonAsync("embeddings", new JsonObject { ["model"] = "embed-sim", ["input"] = new JsonArray("alpha", "beta gamma", "alpha") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", json["object"]!.GetValue<string>());
        Assert.Equal("embed-sim", json["model"]!.GetValue<string>());
        var vectors = json["data"]!.AsArray().Select(d => d!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray();
        Assert.Equal([0, 1, 2], json["data"]!.AsArray().Select(d => d!["index"]!.GetValue<int>()));
        Assert.All(vectors, v => Assert.Equal(64, v.Length));
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 4));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        var tokens = TokenEstimate.FromText("alpha") * 2 + TokenEstimate.FromText("beta gamma");
        Assert.Equal(tokens, json["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(tokens, json["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.Equal(1, server.EmbeddingRequestCount("embed-sim"));
    }

    [Fact]
    public async Task Post_Base64AndDimensions_DecodesToSameFloatVector()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var (_, floats) = await client.PostJsonAsync("embeddings", new JsonObject { ["model"] = "e", ["input"] = "text", ["dimensions"] = 8 });
        var (_, base64) = await client.PostJsonAsync("embeddings", new JsonObject { ["model"] = "e", ["input"] = "text", ["dimensions"] = 8, ["encoding_format"] = "base64" });

        var expected = floats["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var decoded = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64["data"]![0]!["embedding"]!.GetValue<string>())).ToArray();
        Assert.Equal(8, expected.Length);
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("""{"model":"e","input":[1,2,3]}""", "input")]
    [InlineData("""{"model":"e","input":[]}""", "input")]
    [InlineData("""{"input":"x"}""", "model")]
    [InlineData("""{"model":"e","input":"x","dimensions":0}""", "dimensions")]
    public async Task Post_InvalidEmbeddingRequest_Returns400(string body, string param)
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatorOptions());
        using var client = SimulatorClient.For(server);

        var response = await client.PostRawAsync("embeddings", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
    }
}
