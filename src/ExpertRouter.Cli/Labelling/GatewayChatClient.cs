using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Cli.Labelling;

/// <summary>One chat call's result as the gateway reported it: the text, the usage, what it charged and who answered.</summary>
internal sealed record ChatResult(
    string? Content, int PromptTokens, int CompletionTokens, double? CostUsd, string? AnsweredBy, string? RequestId, string? Error)
{
    public bool Succeeded => Error is null && Content is not null;
}

/// <summary>
/// Calls a gateway's <c>/v1/chat/completions</c> as a tenant (its API key): a named expert (<c>model</c> = the
/// expert's id, which the gateway routes directly) or a router (<c>model</c> = <c>auto</c> or a router's name). The
/// gateway is running somewhere (<see cref="Connect"/>) or started in this process from a configuration file
/// (<see cref="StartAsync"/>), in which case it is stopped with this client.
/// </summary>
internal sealed class GatewayChatClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly WebApplication? _app;

    private GatewayChatClient(Uri baseAddress, string key, WebApplication? app)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static GatewayChatClient Connect(Uri baseAddress, string key) => new(baseAddress, key, null);

    /// <summary>
    /// Starts the gateway in this process with <paramref name="configFile"/> layered over its shipped settings, on a
    /// free loopback port, quietly (warnings and errors only).
    /// </summary>
    public static async Task<GatewayChatClient> StartAsync(string configFile, string key)
    {
        var app = await GatewayApp.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a)).First();
        return new GatewayChatClient(address, key, app);
    }

    /// <summary>Sends one user message to <paramref name="model"/>; transport errors and refusals come back as <see cref="ChatResult.Error"/>.</summary>
    public async Task<ChatResult> CompleteAsync(string model, string prompt, int maxTokens, JsonObject? metadata, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            ["max_tokens"] = maxTokens,
        };
        if (metadata is not null)
        {
            body["metadata"] = metadata;
        }

        return await SendAsync(body, cancellationToken);
    }

    /// <summary>Sends a whole chat body (the judge's rubric request) to <paramref name="model"/>.</summary>
    public Task<ChatResult> CompleteAsync(string model, JsonObject body, CancellationToken cancellationToken)
    {
        body["model"] = model;
        return SendAsync(body, cancellationToken);
    }

    /// <summary>POST /v1/feedback for a request this tenant made; true when the gateway took it.</summary>
    public async Task<bool> FeedbackAsync(string requestId, double score, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["request_id"] = requestId, ["score"] = Math.Clamp(score, 0, 1) };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            using var response = await _http.PostAsync("v1/feedback", content, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<ChatResult> SendAsync(JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync("v1/chat/completions", content, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ChatResult(null, 0, 0, null, null, null, ex.Message);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var answeredBy = Header(response, "x-expertrouter-expert");
            var requestId = Header(response, "x-request-id");
            var cost = double.TryParse(Header(response, "x-expertrouter-cost-usd"), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ? c : (double?)null;
            if (!response.IsSuccessStatusCode)
            {
                return new ChatResult(null, 0, 0, cost, answeredBy, requestId, $"HTTP {(int)response.StatusCode}: {Cut(text)}");
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                var message = root.GetProperty("choices")[0].GetProperty("message");
                var answer = message.TryGetProperty("content", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
                var promptTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("prompt_tokens", out var p) ? p.GetInt32() : 0;
                var completionTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("completion_tokens", out var o) ? o.GetInt32() : 0;
                answeredBy ??= root.TryGetProperty("model", out var model) ? model.GetString() : null;
                return answer is null
                    ? new ChatResult(null, promptTokens, completionTokens, cost, answeredBy, requestId, "the answer has no text")
                    : new ChatResult(answer, promptTokens, completionTokens, cost, answeredBy, requestId, null);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
            {
                return new ChatResult(null, 0, 0, cost, answeredBy, requestId, $"not a chat completion ({ex.Message})");
            }
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
