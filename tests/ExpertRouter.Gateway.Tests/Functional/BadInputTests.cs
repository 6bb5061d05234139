using System.Net;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

public sealed class BadInputTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?> { ["ExpertRouter:MaxRequestBodyBytes"] = "4096" });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string path, byte[] body, HttpClient? client = null) =>
        (client ?? _gateway.Client).PostAsync(path, new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });

    private Task<HttpResponseMessage> PostAsync(string json, HttpClient? client = null) =>
        PostAsync("/v1/chat/completions", Encoding.UTF8.GetBytes(json), client);

    [Fact]
    public async Task MissingKey_Is401()
    {
        using var client = _gateway.CreateClient(apiKey: null);
        using var response = await PostAsync("""{"model":"auto","messages":[{"role":"user","content":"x"}]}""", client);

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task UnknownKey_Is401_AlsoOnModels()
    {
        using var client = _gateway.CreateClient("sk-not-a-real-key");
        using var chat = await PostAsync("""{"model":"auto","messages":[{"role":"user","content":"x"}]}""", client);
        using var models = await client.GetAsync("/v1/models");

        await ErrorAssert.IsEnvelopeAsync(chat, HttpStatusCode.Unauthorized, "invalid_api_key");
        await ErrorAssert.IsEnvelopeAsync(models, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("""{"model":"auto","messages":[]}""", "empty_array")]
    [InlineData("""{"model":["auto"],"messages":[{"role":"user","content":"x"}]}""", "missing_model")]
    [InlineData("""{"model":"auto","messages":[{"role":"user","content":{"a":1}}]}""", "invalid_type")]
    public async Task MalformedBody_Is400(string json, string code)
    {
        using var response = await PostAsync(json);

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task InvalidUtf8_Is400()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"auto","messages":[{"role":"user","content":"xx"}]}""");
        body[^6] = 0xC3;
        body[^5] = 0x28;

        using var response = await PostAsync("/v1/chat/completions", body);

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadRequest, "invalid_encoding");
    }

    [Fact]
    public async Task UnknownModel_Is404()
    {
        using var expert = await PostAsync("""{"model":"gpt-7","messages":[{"role":"user","content":"x"}]}""");
        using var router = await PostAsync("""{"model":"router/nope","messages":[{"role":"user","content":"x"}]}""");

        await ErrorAssert.IsEnvelopeAsync(expert, HttpStatusCode.NotFound, "model_not_found");
        await ErrorAssert.IsEnvelopeAsync(router, HttpStatusCode.NotFound, "model_not_found");
    }

    [Fact]
    public async Task OversizeBody_Is413_WithAndWithoutContentLength()
    {
        // Just over the 4,096-byte limit, so the client has finished sending when the early 413 arrives.
        var json = """{"model":"auto","messages":[{"role":"user","content":" """ + new string('x', 4200) + "\"}]}";
        using var sized = await PostAsync(json);
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json))),
        };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var chunked = await _gateway.Client.SendAsync(chunkedRequest);

        await ErrorAssert.IsEnvelopeAsync(sized, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        await ErrorAssert.IsEnvelopeAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task WrongMethodAndUnknownPath_AreEnvelopes()
    {
        using var get = await _gateway.Client.GetAsync("/v1/chat/completions");
        using var unknown = await _gateway.Client.PostAsync("/v1/nothing-here", new StringContent("{}"));

        await ErrorAssert.IsEnvelopeAsync(get, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await ErrorAssert.IsEnvelopeAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }
}
