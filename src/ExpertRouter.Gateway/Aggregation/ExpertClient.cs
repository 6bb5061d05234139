using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Resilience;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// One attempt on one expert's OpenAI-compatible chat endpoint, made directly (not through YARP): the expert's own
/// base URL and key, bounded by the expert's first-token and total limits (the same <see cref="AttemptLimits"/> the
/// forwarded path uses). Failures come back as values; retries, circuits and caching are <see cref="ExpertCallPipeline"/>'s.
/// </summary>
public sealed class ExpertClient(ExpertDefinition expert, IHttpClientFactory httpClients, ExpertCredentials credentials, TimeProvider time, AttemptLimits limits)
{
    public const string HttpClientName = "expertrouter-experts";

    private int _nextBaseUrl;

    public ExpertDefinition Expert { get; } = expert;

    public AttemptLimits Limits { get; } = limits;

    /// <summary>
    /// Sends <paramref name="body"/> (an OpenAI chat request, already carrying the expert's model) with streaming off,
    /// to <paramref name="baseUrl"/> when given (a destination YARP holds healthy), else to the expert's base URLs in turn.
    /// </summary>
    public async Task<ExpertCallResult> CompleteAsync(JsonObject body, string requestId, CancellationToken cancellationToken, string? baseUrl = null)
    {
        body["stream"] = false;
        body.Remove("stream_options");
        var promptTokens = TokenEstimate.FromText(body["messages"]?.ToJsonString() ?? "");
        var started = time.GetTimestamp();
        using var deadline = new AttemptDeadline(cancellationToken, Limits, time);
        try
        {
            using var request = Request(body, requestId, baseUrl);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, deadline.Token).ConfigureAwait(false);
            await deadline.FirstByteSent().ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            return response.IsSuccessStatusCode
                ? Parse(text, promptTokens, elapsed) with { HttpStatus = (int)response.StatusCode }
                : HttpFailure(response, elapsed);
        }
        catch (OperationCanceledException) when (deadline.ExpiredBy is { } reason && !cancellationToken.IsCancellationRequested)
        {
            return Failure(ExpertCallStatus.TimedOut, reason, time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return Failure(ExpertCallStatus.Failed, ex.HttpRequestError.ToString(), time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Sends <paramref name="body"/> with streaming on and hands each content delta to <paramref name="onContent"/> as
    /// it arrives. <paramref name="rawEvents"/>, when given, receives the SSE bytes as sent (for the cache).
    /// <see cref="ExpertCallResult.Streamed"/> says whether any content was handed on before the call ended.
    /// </summary>
    public async Task<ExpertCallResult> StreamAsync(
        JsonObject body, string requestId, Func<string, CancellationToken, ValueTask> onContent, Stream? rawEvents, CancellationToken cancellationToken, string? baseUrl = null)
    {
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        var promptTokens = TokenEstimate.FromText(body["messages"]?.ToJsonString() ?? "");
        var started = time.GetTimestamp();
        var text = new StringBuilder();
        var streamed = false;
        using var deadline = new AttemptDeadline(cancellationToken, Limits, time);
        try
        {
            using var request = Request(body, requestId, baseUrl);
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return HttpFailure(response, time.GetElapsedTime(started));
            }

            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            (int Prompt, int Completion)? usage = null;
            while (await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                if (rawEvents is not null)
                {
                    await rawEvents.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), deadline.Token).ConfigureAwait(false);
                }

                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    var (prompt, completion) = usage ?? (promptTokens, TokenEstimate.FromText(text.ToString()));
                    return new ExpertCallResult(Expert, ExpertCallStatus.Ok, text.ToString(), prompt, completion, null, time.GetElapsedTime(started))
                    {
                        HttpStatus = (int)response.StatusCode,
                        Streamed = streamed,
                    };
                }

                var chunk = ParseChunk(data.ToString());
                if (chunk.Error)
                {
                    return Failure(ExpertCallStatus.Failed, "error event", time.GetElapsedTime(started)) with { Streamed = streamed };
                }

                usage = chunk.Usage ?? usage;
                if (chunk.Content is { Length: > 0 } piece)
                {
                    await deadline.FirstByteSent().ConfigureAwait(false);
                    text.Append(piece);
                    streamed = true;
                    await onContent(piece, deadline.Token).ConfigureAwait(false);
                }
            }

            return Failure(ExpertCallStatus.Failed, "stream ended without [DONE]", time.GetElapsedTime(started)) with { Streamed = streamed };
        }
        catch (OperationCanceledException) when (deadline.ExpiredBy is { } reason && !cancellationToken.IsCancellationRequested)
        {
            return Failure(ExpertCallStatus.TimedOut, reason, time.GetElapsedTime(started)) with { Streamed = streamed };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            var error = ex is HttpRequestException http ? http.HttpRequestError.ToString() : "stream broken";
            return Failure(ExpertCallStatus.Failed, error, time.GetElapsedTime(started)) with { Streamed = streamed };
        }
    }

    private HttpRequestMessage Request(JsonObject body, string requestId, string? baseUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, (baseUrl?.TrimEnd('/') ?? NextBaseUrl()) + "/chat/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (credentials.ApiKeyFor(Expert.Id) is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        request.Headers.TryAddWithoutValidation("x-request-id", requestId);
        return request;
    }

    internal ExpertCallResult Parse(string text, int promptTokens, TimeSpan elapsed)
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
            return new ExpertCallResult(Expert, ExpertCallStatus.Ok, content, prompt, completion, null, elapsed) { Body = text };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return Failure(ExpertCallStatus.Failed, "unreadable response", elapsed);
        }
    }

    private static (string? Content, (int, int)? Usage, bool Error) ParseChunk(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.TryGetProperty("error", out _))
            {
                return (null, null, true);
            }

            string? content = null;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var piece) && piece.ValueKind == JsonValueKind.String)
            {
                content = piece.GetString();
            }

            (int, int)? usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object
                && Int(u, "prompt_tokens") is { } prompt && Int(u, "completion_tokens") is { } completion
                ? (prompt, completion)
                : null;
            return (content, usage, false);
        }
        catch (JsonException)
        {
            return (null, null, true);
        }
    }

    private ExpertCallResult HttpFailure(HttpResponseMessage response, TimeSpan elapsed)
    {
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - time.GetUtcNow() : null)
            : null;
        return Failure(ExpertCallStatus.Failed, $"HTTP {(int)response.StatusCode}", elapsed) with
        {
            HttpStatus = (int)response.StatusCode,
            RetryAfter = retryAfter,
        };
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
