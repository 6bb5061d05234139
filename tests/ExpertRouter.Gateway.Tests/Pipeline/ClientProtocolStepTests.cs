using System.Text.Json.Nodes;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using ExpertRouter.Gateway.Tenants;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>
/// The client protocol step on its own, around a stand-in for everything after it: only the Responses and Messages
/// routes are its business; their answers, refusals and event streams leave in the protocol's own shape.
/// </summary>
public sealed class ClientProtocolStepTests
{
    private const string AnthropicVersion = "2023-06-01";

    private readonly InProcessResponseStateStore _store = new(TimeProvider.System, new ResponseStateOptions());
    private HttpContext? _seen;
    private Stream? _bodySeen;

    private ClientProtocolStep Step(RequestDelegate next) => new(
        context =>
        {
            _seen = context;
            _bodySeen = context.Response.Body;
            return next(context);
        },
        new ResponsesProtocol(_store, SequentialIds(), TimeProvider.System, new ResponseStateOptions(), NullLogger<ResponsesProtocol>.Instance),
        new AnthropicMessagesProtocol(SequentialIds()));

    /// <summary>The pipeline behind the step as it runs for a known tenant: the protocol request step, then <paramref name="chat"/> in place of the chat steps.</summary>
    private static RequestDelegate Translated(RequestDelegate chat) => context =>
    {
        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(new TenantPolicy { Id = "t" }, "req-test"));
        return new ProtocolRequestStep(chat, Options.Create(new GatewayOptions())).InvokeAsync(context);
    };

    private static RequestDelegate Writes(int status, string body, string contentType = "application/json") => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Utf8(body));
    };

    private static DefaultHttpContext Messages(string body, string? apiKey = "sk-good", string? version = AnthropicVersion)
    {
        var context = StepContext.Post(ClientProtocolStep.MessagesPath, body);
        if (apiKey is not null)
        {
            context.Request.Headers[AnthropicHeaders.ApiKeyHeader] = apiKey;
        }

        if (version is not null)
        {
            context.Request.Headers[AnthropicHeaders.VersionHeader] = version;
        }

        return context;
    }

    private static JsonNode Answer(HttpContext context) => Json(Utf8(context.Body()));

    [Theory]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("POST", "/v1/embeddings")]
    [InlineData("GET", "/v1/responses")]
    [InlineData("GET", "/v1/messages")]
    public async Task OtherRoutes_PassThroughUntouched(string method, string path)
    {
        var context = StepContext.Post(path, "{}");
        context.Request.Method = method;
        context.Request.Headers[AnthropicHeaders.ApiKeyHeader] = "sk-good";
        var original = context.Response.Body;

        await Step(Writes(418, "as written")).InvokeAsync(context);

        Assert.Same(original, _bodySeen);
        Assert.Null(context.Features.Get<ClientProtocolExchange>());
        Assert.Equal(0, context.Request.Headers.Authorization.Count);
        Assert.Equal((418, "as written"), (context.Response.StatusCode, context.Body()));
    }

    [Fact]
    public async Task Messages_XApiKey_BecomesTheBearerKeyTheTenantStepReads()
    {
        var context = Messages("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        await Step(_ => Task.CompletedTask).InvokeAsync(context);

        Assert.Equal("Bearer sk-good", _seen!.Request.Headers.Authorization.ToString());
        Assert.Equal(ClientProtocol.AnthropicMessages, context.Features.Get<ClientProtocolExchange>()!.Protocol);
    }

    [Theory]
    [InlineData("x-api-key")]
    [InlineData("Authorization")]
    public async Task Messages_WithAKeyButNoAnthropicVersion_IsRefusedInAnthropicsShape_AndGoesNoFurther(string keyHeader)
    {
        var context = Messages("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""", apiKey: null, version: null);
        context.Request.Headers[keyHeader] = keyHeader == "Authorization" ? "Bearer sk-good" : "sk-good";

        await Step(_ => Task.CompletedTask).InvokeAsync(context);

        Assert.Null(_seen);
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}""", context.Body());
    }

    [Fact]
    public async Task Messages_WithoutAKey_GoesOn_AndTheTenantStepsRefusalIsRewrittenAsAnthropicsError()
    {
        var context = Messages("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""", apiKey: null, version: null);
        var tenantStep = new TenantStep(_ => Task.CompletedTask, new ConfiguredTenantDirectory([]), NullLogger<TenantStep>.Instance);

        await Step(tenantStep.InvokeAsync).InvokeAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(
            """{"type":"error","error":{"type":"authentication_error","message":"You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."}}""",
            context.Body());
    }

    [Theory]
    [InlineData(404, "not_found_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(503, "overloaded_error")]
    public async Task Messages_OpenAIShapedError_IsRewrittenAsAnthropicsError_KeepingStatusAndMessage(int status, string type)
    {
        var context = Messages("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        await Step(c => ApiErrorWriter.WriteAsync(c, new ApiError(status, "Busy right now.", "server_error"))).InvokeAsync(context);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"Busy right now."}}""", context.Body());
        Assert.Equal(context.Body().Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task Messages_ErrorThatIsNotJson_IsNamedByItsStatus()
    {
        var context = Messages("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        await Step(Writes(502, "<html>Bad gateway</html>", "text/html")).InvokeAsync(context);

        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("""{"type":"error","error":{"type":"api_error","message":"The expert failed with status 502."}}""", context.Body());
    }

    [Fact]
    public async Task Responses_Error_StaysOpenAIsEnvelope_WithItsRetryAfter()
    {
        var context = StepContext.Post(ClientProtocolStep.ResponsesPath, """{"model":"auto","input":"hi"}""");

        await Step(c => ApiErrorWriter.WriteAsync(c, ApiError.RateLimited("Daily budget spent.", 30))).InvokeAsync(context);

        var error = Answer(context)["error"]!;
        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(("Daily budget spent.", "rate_limit_error"), (error["message"]!.GetValue<string>(), error["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Messages_WholeChatAnswer_IsAnAnthropicMessage_OnTheClientsOwnStream()
    {
        var context = Messages("""{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"What is 2+2?"}]}""");
        var original = context.Response.Body;
        JsonNode? chatRequest = null;

        await Step(Translated(async c =>
        {
            chatRequest = await JsonNode.ParseAsync(c.Request.Body);
            await Writes(200, Completion("""{"role":"assistant","content":"Four."}"""))(c);
        })).InvokeAsync(context);

        var message = Answer(context);
        Assert.Equal("What is 2+2?", chatRequest!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.NotSame(original, _bodySeen);
        Assert.Same(original, context.Response.Body);
        Assert.Equal((200, "application/json", (long?)context.Body().Length), (context.Response.StatusCode, context.Response.ContentType, context.Response.ContentLength));
        Assert.Equal(("message", "end_turn"), (message["type"]!.GetValue<string>(), message["stop_reason"]!.GetValue<string>()));
        Assert.Equal("""[{"type":"text","text":"Four."}]""", message["content"]!.ToJsonString(Relaxed));
        Assert.Equal((11, 7), (message["usage"]!["input_tokens"]!.GetValue<int>(), message["usage"]!["output_tokens"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Responses_WholeChatAnswer_IsACompletedResponse_StoredForContinuation()
    {
        var context = StepContext.Post(ClientProtocolStep.ResponsesPath, """{"model":"auto","input":"What is 2+2?"}""");

        await Step(Translated(Writes(200, Completion("""{"role":"assistant","content":"Four."}"""))))
            .InvokeAsync(context);

        var response = Answer(context);
        Assert.Equal(("response", "completed"), (response["object"]!.GetValue<string>(), response["status"]!.GetValue<string>()));
        Assert.Equal("Four.", response["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(1, _store.Count);
        Assert.NotNull(await _store.GetAsync("t", response["id"]!.GetValue<string>(), CancellationToken.None));
    }

    [Fact]
    public async Task Messages_StreamedChatAnswer_IsAnthropicsEventStream_AsItIsWritten()
    {
        var context = Messages("""{"model":"auto","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var sse = Sse([TextChunk("Fo"), TextChunk("ur."), FinishChunk("stop"), UsageChunk(11, 2)]);
        var client = (MemoryStream)context.Response.Body;
        var before = -1L;

        await Step(Translated(async c =>
        {
            c.Response.StatusCode = 200;
            c.Response.ContentType = "text/event-stream";
            c.Response.ContentLength = 123;
            var bytes = Utf8(sse);
            await c.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            before = client.Length;
            await c.Response.Body.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        })).InvokeAsync(context);

        var events = Events(client);
        Assert.True(before > 0, "The first half of the answer reached the client before the rest was written.");
        Assert.Equal(("text/event-stream", (long?)null), (context.Response.ContentType, context.Response.ContentLength));
        Assert.Equal(["message_start", "ping", "content_block_start"], events.Take(3).Select(e => e.Event));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events.TakeLast(3).Select(e => e.Event));
        Assert.Equal("Four.", string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => e.Data["delta"]!["text"]!.GetValue<string>())));
    }

    [Fact]
    public async Task AnswerFromAnExpertSpeakingTheProtocol_IsRelayedAsItCame()
    {
        const string Native = """{"id":"msg_native","type":"message","role":"assistant","content":[{"type":"text","text":"Four."}]}""";
        var context = Messages("""{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"What is 2+2?"}]}""");

        await Step(Translated(c =>
        {
            c.Features.GetRequiredFeature<ClientProtocolExchange>().PassThrough = true;
            c.Response.ContentLength = Native.Length;
            return Writes(200, Native)(c);
        })).InvokeAsync(context);

        Assert.Equal(Native, context.Body());
        Assert.Equal(Native.Length, context.Response.ContentLength);
    }
}
