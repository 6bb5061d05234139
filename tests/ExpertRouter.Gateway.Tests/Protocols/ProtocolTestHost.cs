using System.Net.Http.Headers;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Simulation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>
/// The translators wired the way a gateway route would wire them, over a simulated chat expert: translate the body,
/// forward the chat body, translate the answer (or stream it through the translator), map errors. The
/// <c>x-simulator-fault</c> header is passed on, so tests can break the expert.
/// </summary>
// Not a GatewayBuilder host: it hands the expert's own error (a 503's message, a 429) to the translators verbatim, which a gateway's retry, fallback and 502 envelope would replace; gateway-level protocol tests are Functional/ClientProtocolTests.
internal sealed class ProtocolTestHost : IAsyncDisposable
{
    public const string Tenant = "protocol-tests";

    private readonly WebApplication app;
    private readonly SimulatedExpertServer simulator;

    private ProtocolTestHost(WebApplication app, SimulatedExpertServer simulator, Uri address)
    {
        this.app = app;
        this.simulator = simulator;
        Address = address;
    }

    /// <summary>The host's root, e.g. http://127.0.0.1:41234/ (the routes are under /v1).</summary>
    public Uri Address { get; }

    public SimulatedExpertServer Simulator => simulator;

    public static async Task<ProtocolTestHost> StartAsync(SimulatorOptions? options = null)
    {
        var simulator = await SimulatedExpertServer.StartAsync(options ?? new SimulatorOptions());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddClientProtocols();
        var app = builder.Build();
        var expert = new HttpClient { BaseAddress = new Uri(simulator.BaseAddress + "/") };
        app.MapPost("/v1/responses", context => ResponsesAsync(context, expert));
        app.MapPost("/v1/messages", context => MessagesAsync(context, expert));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ProtocolTestHost(app, simulator, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await simulator.DisposeAsync();
    }

    private static async Task ResponsesAsync(HttpContext context, HttpClient expert)
    {
        var protocol = context.RequestServices.GetRequiredService<ResponsesProtocol>();
        var call = await protocol.TranslateRequestAsync(Tenant, await BodyAsync(context), context.RequestAborted);
        if (!call.Succeeded)
        {
            await WriteAsync(context, call.Error.StatusCode, ResponsesProtocol.ErrorBody(call.Error));
            return;
        }

        using var answer = await ForwardAsync(context, expert, call.Value.ChatBody);
        if (!answer.IsSuccessStatusCode)
        {
            var error = UpstreamErrors.FromResponse((int)answer.StatusCode, await answer.Content.ReadAsByteArrayAsync());
            await WriteAsync(context, error.StatusCode, ResponsesProtocol.ErrorBody(error));
            return;
        }

        if (call.Value.Request.Stream)
        {
            await using var translator = protocol.OpenStream(Tenant, call.Value, context.Response.Body);
            await StreamAsync(context, answer, translator);
            return;
        }

        var body = await protocol.TranslateResponseAsync(Tenant, call.Value, await answer.Content.ReadAsByteArrayAsync(), context.RequestAborted);
        await WriteAsync(context, body.Error?.StatusCode ?? 200, body.Succeeded ? body.Value : ResponsesProtocol.ErrorBody(body.Error));
    }

    private static async Task MessagesAsync(HttpContext context, HttpClient expert)
    {
        var protocol = context.RequestServices.GetRequiredService<AnthropicMessagesProtocol>();
        var call = protocol.TranslateRequest(await BodyAsync(context));
        if (!call.Succeeded)
        {
            await WriteAsync(context, call.Error.StatusCode, AnthropicMessagesProtocol.ErrorBody(call.Error));
            return;
        }

        using var answer = await ForwardAsync(context, expert, call.Value.ChatBody);
        if (!answer.IsSuccessStatusCode)
        {
            await WriteAsync(context, (int)answer.StatusCode, AnthropicErrors.FromUpstream((int)answer.StatusCode, await answer.Content.ReadAsByteArrayAsync()));
            return;
        }

        if (call.Value.Stream)
        {
            await using var translator = protocol.OpenStream(call.Value, context.Response.Body);
            await StreamAsync(context, answer, translator);
            return;
        }

        var body = protocol.TranslateResponse(call.Value, await answer.Content.ReadAsByteArrayAsync());
        await WriteAsync(context, body.Error?.StatusCode ?? 200, body.Succeeded ? body.Value : AnthropicMessagesProtocol.ErrorBody(body.Error));
    }

    /// <summary>Copies the expert's SSE into the translator; a broken expert stream fails it with the protocol's events.</summary>
    private static async Task StreamAsync(HttpContext context, HttpResponseMessage answer, ChatStreamTranslator translator)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await using var source = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
            await source.CopyToAsync(translator, context.RequestAborted);
            await translator.CompleteAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            await translator.FailAsync(ApiError.Upstream(502, "The expert's stream broke off: " + ex.Message), context.RequestAborted);
        }
    }

    private static async Task<HttpResponseMessage> ForwardAsync(HttpContext context, HttpClient expert, byte[] chatBody)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ByteArrayContent(chatBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (context.Request.Headers.TryGetValue("x-simulator-fault", out var fault))
        {
            request.Headers.Add("x-simulator-fault", fault.ToString());
        }

        return await expert.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
    }

    private static async Task<byte[]> BodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
