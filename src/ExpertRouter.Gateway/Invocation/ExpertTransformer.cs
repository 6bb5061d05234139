using System.Collections.Concurrent;
using System.Net.Http.Headers;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Simulation;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// Rewrites each attempt for its expert: the expert's URL, its own key (the tenant's never reaches an expert) and
/// the gateway's request id; on the way back, a status another attempt may do better with is held back from the
/// consumer, and an answer that is relayed gets the call's headers. Every response's arrival time is kept (the
/// attempt's first byte), and what its provider says about its limits goes to the capacity tracker.
/// </summary>
internal sealed class ExpertTransformer(ExpertCredentials credentials, TimeProvider time, CapacityTracker? capacity = null) : HttpTransformer
{
    public const string RequestIdHeader = "x-request-id";

    /// <summary>Anthropic's key header. A client's (its tenant key) is never relayed; an Anthropic expert gets its own.</summary>
    public const string AnthropicKeyHeader = "x-api-key";

    public const string AnthropicVersionHeader = "anthropic-version";

    /// <summary>The version sent to an Anthropic expert when the client named none (it came as a bearer client).</summary>
    public const string DefaultAnthropicVersion = "2023-06-01";

    /// <summary>Enough for every destination and upstream path the configuration names; past it addresses are built per attempt.</summary>
    private const int MaxCachedAddresses = 1024;

    private readonly ConcurrentDictionary<(string Prefix, string Path), Uri> _addresses = new();

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var state = httpContext.Features.GetRequiredFeature<InvocationState>();
        proxyRequest.RequestUri = AddressOf(destinationPrefix, state.Path, httpContext.Request.QueryString);
        var headers = proxyRequest.Headers;
        var key = credentials.ApiKeyFor(state.Expert.Id);
        headers.Remove(AnthropicKeyHeader);
        if (state.Native is { Api: ExpertApis.Anthropic })
        {
            // Anthropic's API authenticates by x-api-key and refuses a call without a version.
            headers.Authorization = null;
            if (key is not null)
            {
                headers.TryAddWithoutValidation(AnthropicKeyHeader, key);
            }

            if (!headers.Contains(AnthropicVersionHeader))
            {
                headers.TryAddWithoutValidation(AnthropicVersionHeader, DefaultAnthropicVersion);
            }
        }
        else
        {
            headers.Authorization = key is not null ? new AuthenticationHeaderValue("Bearer", key) : null;
        }

        headers.Remove(RequestIdHeader);
        headers.TryAddWithoutValidation(RequestIdHeader, state.Call.RequestId);
        if (state.Index > 0)
        {
            // A fault the client asked the simulator for is meant for the expert it named, not for every stand-in.
            headers.Remove(SimulatorHeaders.Fault);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        }

        var state = httpContext.Features.GetRequiredFeature<InvocationState>();
        var status = (int)proxyResponse.StatusCode;
        state.HeadersAt = time.GetTimestamp();
        state.RetryAfter = RetryAfterOf(proxyResponse);
        capacity?.ObserveResponse(state.Expert, state.BaseUrl, proxyResponse.Headers, status, state.RetryAfter);
        if (InvocationState.IsRetryable(status) && (state.WillRetry(status) || state.MoreExperts))
        {
            // Held back, not relayed: the invoker retries or tries the next expert while the consumer has seen nothing.
            state.HeldBack = status;
            return false;
        }

        var relay = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        state.Call.OnRelaying?.Invoke(httpContext, state.Expert, state.Failed);
        return relay;
    }

    /// <summary>
    /// The attempt's upstream URL. Without a query string it depends only on the destination and the path, both from
    /// configuration, so it is built once and shared (a Uri is immutable) instead of a string and a parsed Uri per attempt.
    /// </summary>
    private Uri AddressOf(string prefix, string path, QueryString query)
    {
        if (query.HasValue)
        {
            return RequestUtilities.MakeDestinationAddress(prefix, path, query);
        }

        if (!_addresses.TryGetValue((prefix, path), out var address))
        {
            address = RequestUtilities.MakeDestinationAddress(prefix, path, query);
            if (_addresses.Count < MaxCachedAddresses)
            {
                _addresses.TryAdd((prefix, path), address);
            }
        }

        return address;
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
