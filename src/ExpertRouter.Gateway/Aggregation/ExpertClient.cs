using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Experts;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Calls one expert's OpenAI-compatible chat endpoint directly (not through YARP): the expert's own base URL and
/// key, the gateway's upstream timeout capped by the caller's per-call timeout. Failures come back as values.
/// </summary>
public sealed class ExpertClient(ExpertDefinition expert, IHttpClientFactory httpClients, ExpertCredentials credentials, TimeProvider time, TimeSpan upstreamTimeout)
{
    public const string HttpClientName = "expertrouter-experts";

    private int _nextBaseUrl;

    public ExpertDefinition Expert { get; } = expert;

    /// <summary>Sends <paramref name="body"/> (an OpenAI chat request) with its model set to the expert's and streaming off.</summary>
    public async Task<ExpertCallResult> CompleteAsync(JsonObject body, string requestId, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        body["model"] = Expert.UpstreamModel;
        body["stream"] = false;
        body.Remove("stream_options");
        var promptTokens = TokenEstimate.FromText(body["messages"]?.ToJsonString() ?? "");
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(callTimeout < upstreamTimeout ? callTimeout : upstreamTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, NextBaseUrl() + "/chat/completions")
            {
                Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            if (credentials.ApiKeyFor(Expert.Id) is { } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            request.Headers.TryAddWithoutValidation("x-request-id", requestId);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            return response.IsSuccessStatusCode
                ? Parse(text, promptTokens, elapsed)
                : Failure(ExpertCallStatus.Failed, $"HTTP {(int)response.StatusCode}", elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure(ExpertCallStatus.TimedOut, "timeout", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return Failure(ExpertCallStatus.Failed, ex.HttpRequestError.ToString(), time.GetElapsedTime(started));
        }
    }

    private ExpertCallResult Parse(string text, int promptTokens, TimeSpan elapsed)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var content = root.GetProperty("choices")[0].GetProperty("message").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString()!
                : "";
            var (prompt, completion) = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                ? (Int(usage, "prompt_tokens") ?? promptTokens, Int(usage, "completion_tokens") ?? TokenEstimate.FromText(content))
                : (promptTokens, TokenEstimate.FromText(content));
            return new ExpertCallResult(Expert, ExpertCallStatus.Ok, content, prompt, completion, null, elapsed);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return Failure(ExpertCallStatus.Failed, "unreadable response", elapsed);
        }
    }

    private ExpertCallResult Failure(ExpertCallStatus status, string error, TimeSpan elapsed) =>
        new(Expert, status, "", 0, 0, error, elapsed);

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;

    private string NextBaseUrl()
    {
        var urls = Expert.BaseUrls;
        var index = (int)((uint)Interlocked.Increment(ref _nextBaseUrl) % (uint)urls.Count);
        return urls[index].TrimEnd('/');
    }
}
