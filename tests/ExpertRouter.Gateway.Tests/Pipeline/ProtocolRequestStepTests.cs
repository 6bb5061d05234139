using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>
/// The protocol request step on its own: once the tenant is known, a Responses or Messages body becomes the chat
/// body the rest of the pipeline reads, or the request is refused (in OpenAI's envelope here; the client protocol step
/// outside it reshapes that, see the last test).
/// </summary>
public sealed class ProtocolRequestStepTests
{
    private const string StoredConversation = """[{"role":"user","content":"Remember 42."},{"role":"assistant","content":"Noted: 42."}]""";

    private readonly InProcessResponseStateStore _store = new(TimeProvider.System, new ResponseStateOptions());
    private byte[]? _forwarded;
    private long? _forwardedLength;

    /// <summary>Stands in for the chat pipeline: reads the request body it is given, as the parse step would.</summary>
    private async Task ChatPipeline(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        _forwarded = body.ToArray();
        _forwardedLength = context.Request.ContentLength;
    }

    private ProtocolRequestStep Step(long limit = 1 << 20) => new(ChatPipeline, Options.Create(new GatewayOptions { MaxRequestBodyBytes = limit }));

    private ClientProtocolExchange Exchange(ClientProtocol protocol, IResponseStateStore? store = null) => new(
        protocol,
        new ResponsesProtocol(store ?? _store, SequentialIds(), TimeProvider.System, new ResponseStateOptions(), NullLogger<ResponsesProtocol>.Instance),
        new AnthropicMessagesProtocol(SequentialIds()));

    /// <summary>A request past the tenant step: the exchange the client protocol step set, and the feature of <paramref name="tenant"/>.</summary>
    private static DefaultHttpContext Context(ClientProtocolExchange exchange, string body, string tenant = "t")
    {
        var path = exchange.Protocol == ClientProtocol.Responses ? ClientProtocolStep.ResponsesPath : ClientProtocolStep.MessagesPath;
        var context = StepContext.Post(path, body);
        context.Features.Set(exchange);
        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(new TenantPolicy { Id = tenant }, "req-test"));
        return context;
    }

    private JsonNode Forwarded() => Json(_forwarded!);

    [Fact]
    public async Task ResponsesBody_BecomesTheChatBody_ThePipelineReads()
    {
        var exchange = Exchange(ClientProtocol.Responses);
        var context = Context(exchange, """{"model":"auto","input":"What is 2+2?","stream":true}""");

        await Step().InvokeAsync(context);

        Assert.Equal("auto", Forwarded()["model"]!.GetValue<string>());
        Assert.True(Forwarded()["stream"]!.GetValue<bool>());
        Assert.Equal("""[{"role":"user","content":"What is 2+2?"}]""", Forwarded()["messages"]!.ToJsonString(Relaxed));
        Assert.Equal(_forwarded!.Length, _forwardedLength);
        Assert.Equal(_forwarded, exchange.ChatBody);
        Assert.Equal((true, true, "t"), (exchange.Translated, exchange.Stream, exchange.TenantId));
        Assert.NotNull(exchange.Responses);
        Assert.Null(exchange.Messages);
        // An expert that speaks the Responses API could take the client's own body.
        Assert.Equal((ExpertApis.Responses, OpenAIPaths.UpstreamResponses), (exchange.Native!.Api, exchange.Native.Path));
    }

    [Fact]
    public async Task MessagesBody_BecomesTheChatBody_ThePipelineReads()
    {
        var exchange = Exchange(ClientProtocol.AnthropicMessages);
        var context = Context(exchange, """{"model":"auto","max_tokens":64,"system":"Be terse.","messages":[{"role":"user","content":"hi"}]}""");

        await Step().InvokeAsync(context);

        Assert.Equal("""[{"role":"system","content":"Be terse."},{"role":"user","content":"hi"}]""", Forwarded()["messages"]!.ToJsonString(Relaxed));
        Assert.Equal(64, Forwarded()["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(_forwarded!.Length, _forwardedLength);
        Assert.Equal((true, false), (exchange.Translated, exchange.Stream));
        Assert.NotNull(exchange.Messages);
        Assert.Null(exchange.Responses);
        Assert.Equal((ExpertApis.Anthropic, OpenAIPaths.UpstreamMessages), (exchange.Native!.Api, exchange.Native.Path));
    }

    [Fact]
    public async Task Continuation_ReadsTheTenantsOwnStoredResponse_AndIsNeverPassedThrough()
    {
        await _store.SaveAsync("a", new StoredResponse("resp_prev", StoredConversation, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        var exchange = Exchange(ClientProtocol.Responses);
        var context = Context(exchange, """{"model":"auto","input":"And now?","previous_response_id":"resp_prev"}""", tenant: "a");

        await Step().InvokeAsync(context);

        Assert.Equal(
            """[{"role":"user","content":"Remember 42."},{"role":"assistant","content":"Noted: 42."},{"role":"user","content":"And now?"}]""",
            Forwarded()["messages"]!.ToJsonString(Relaxed));
        // The expert would not know the gateway's response id: the continuation is always translated.
        Assert.Null(exchange.Native);
    }

    [Fact]
    public async Task Continuation_OfAnotherTenantsResponse_IsNotFound_AndGoesNoFurther()
    {
        await _store.SaveAsync("a", new StoredResponse("resp_prev", StoredConversation, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        var exchange = Exchange(ClientProtocol.Responses);
        var context = Context(exchange, """{"model":"auto","input":"And now?","previous_response_id":"resp_prev"}""", tenant: "b");

        await Step().InvokeAsync(context);

        var error = Json(Utf8(context.Body()))["error"]!;
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(("previous_response_not_found", "previous_response_id"), (error["code"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Null(_forwarded);
        Assert.False(exchange.Translated);
    }

    [Fact]
    public async Task Continuation_WhenTheStoreCannotBeRead_Is503WithRetryAfter()
    {
        var exchange = Exchange(ClientProtocol.Responses, new BrokenStore());
        var context = Context(exchange, """{"model":"auto","input":"And now?","previous_response_id":"resp_prev"}""");

        await Step().InvokeAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("state_store_unavailable", Json(Utf8(context.Body()))["error"]!["code"]!.GetValue<string>());
        Assert.Null(_forwarded);
    }

    [Theory]
    [InlineData(ClientProtocol.Responses, "{\"model\":", null, "invalid_json")]
    [InlineData(ClientProtocol.Responses, """{"model":"auto"}""", "input", "missing_required_parameter")]
    [InlineData(ClientProtocol.AnthropicMessages, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", null)]
    [InlineData(ClientProtocol.AnthropicMessages, """{"model":"auto","max_tokens":5,"messages":[]}""", "messages", null)]
    public async Task MalformedBody_Is400NamingTheField_AndGoesNoFurther(ClientProtocol protocol, string body, string? param, string? code)
    {
        var exchange = Exchange(protocol);
        var context = Context(exchange, body);

        await Step().InvokeAsync(context);

        var error = Json(Utf8(context.Body()))["error"]!;
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        if (code is not null)
        {
            Assert.Equal(code, error["code"]!.GetValue<string>());
        }

        Assert.Null(_forwarded);
        Assert.False(exchange.Translated);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_AndIsNotTranslated()
    {
        var exchange = Exchange(ClientProtocol.AnthropicMessages);
        var context = Context(exchange, """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"a long enough question"}]}""");

        await Step(limit: 16).InvokeAsync(context);

        Assert.Equal(413, context.Response.StatusCode);
        Assert.Null(_forwarded);
        Assert.False(exchange.Translated);
    }

    [Fact]
    public async Task MalformedMessagesBody_BehindTheClientProtocolStep_IsAnAnthropicError()
    {
        var messages = new AnthropicMessagesProtocol(SequentialIds());
        var responses = new ResponsesProtocol(_store, SequentialIds(), TimeProvider.System, new ResponseStateOptions(), NullLogger<ResponsesProtocol>.Instance);
        var context = StepContext.Post(ClientProtocolStep.MessagesPath, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""");
        context.Request.Headers["anthropic-version"] = "2023-06-01";
        context.Request.Headers["x-api-key"] = "sk-any";
        // What the tenant step would do for a known key, then this step.
        var step = new ClientProtocolStep(
            c =>
            {
                c.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(new TenantPolicy { Id = "t" }, "req-test"));
                return Step().InvokeAsync(c);
            },
            responses,
            messages);

        await step.InvokeAsync(context);

        var body = Json(Utf8(context.Body()));
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(("error", "invalid_request_error"), (body["type"]!.GetValue<string>(), body["error"]!["type"]!.GetValue<string>()));
        Assert.Contains("max_tokens", body["error"]!["message"]!.GetValue<string>());
        Assert.Null(body["error"]!["param"]);
        Assert.Null(_forwarded);
    }

    private sealed class BrokenStore : IResponseStateStore
    {
        public string Name => "broken";

        public ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The store is down.");

        public ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The store is down.");
    }
}
