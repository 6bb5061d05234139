using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// A hand-written OpenAI-shaped upstream that records exactly what it received, so tests can check what the
/// gateway forwards (body bytes, headers, path).
/// </summary>
public sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Status every answer gets; anything but 200 answers with an OpenAI error body.</summary>
    public int Status { get; set; } = 200;

    /// <summary>When set, answers as a stream and breaks the connection after this many events.</summary>
    public int? CutStreamAfterEvents { get; set; }

    /// <summary>How long each answer is held back, so that concurrent requests overlap in flight.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Completed by the test once the client has seen the streamed events; the cut happens after that.</summary>
    public TaskCompletionSource StreamRelayed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<RecordingUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        RecordingUpstream? self = null;
        app.MapPost("/v1/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            self!.Requests.Enqueue(new RecordedRequest(
                context.Request.Path,
                body.ToArray(),
                context.Request.ContentLength,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            context.Response.Headers["x-request-id"] = "upstream-own-id";
            if (self.ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(self.ResponseDelay);
            }

            if (self.CutStreamAfterEvents is { } events)
            {
                context.Response.ContentType = "text/event-stream";
                for (var i = 0; i < events; i++)
                {
                    await context.Response.WriteAsync($$$"""data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"part{{{i}}} "}}]}""" + "\n\n");
                    await context.Response.Body.FlushAsync();
                }

                // Give the gateway time to relay the events (starting the client's response) before the cut.
                await self.StreamRelayed.Task.WaitAsync(TimeSpan.FromSeconds(5));
                context.Abort();
                return Results.Empty;
            }

            if (self.Status != 200)
            {
                return Results.Text("{\"error\":{\"message\":\"upstream says " + self.Status + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}", "application/json", statusCode: self.Status);
            }

            return Results.Text(
                """{"id":"chatcmpl-rec","object":"chat.completion","created":1,"model":"recorded","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""",
                "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new RecordingUpstream(app, new Uri(address + "/v1"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Path, byte[] Body, long? ContentLength, IReadOnlyDictionary<string, string> Headers);
