using System.Globalization;
using System.Net.Http.Headers;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Resilience;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Per-request header rewriting on the forwarding path: the tenant's key never reaches an expert (the expert's own
/// key replaces it), and the response says which expert and router answered.
/// </summary>
internal static class ForwardingTransforms
{
    public const string ExpertHeader = "x-expertrouter-expert";
    public const string RouterHeader = "x-expertrouter-router";
    public const string PredictedQualityHeader = "x-expertrouter-predicted-quality";
    public const string FallbackHeader = "x-expertrouter-fallbacks";

    /// <summary>Upstream answers that another expert may do better with.</summary>
    private static readonly int[] RetryableStatuses = [408, 429, 500, 502, 503, 504];

    public static void Apply(TransformBuilderContext builder, ExpertCredentials credentials, int maxFallbacks)
    {
        builder.AddRequestTransform(transform =>
        {
            var feature = transform.HttpContext.Features.GetRequiredFeature<IExpertRoutingFeature>();
            var headers = transform.ProxyRequest.Headers;
            headers.Authorization = credentials.ApiKeyFor(feature.Chosen!.Value.Expert.Id) is { } key
                ? new AuthenticationHeaderValue("Bearer", key)
                : null;
            headers.Remove(TenantResolutionStep.RequestIdHeader);
            headers.TryAddWithoutValidation(TenantResolutionStep.RequestIdHeader, feature.RequestId);
            return ValueTask.CompletedTask;
        });

        builder.AddResponseTransform(transform =>
        {
            var feature = transform.HttpContext.Features.GetRequiredFeature<IExpertRoutingFeature>();
            var status = (int?)transform.ProxyResponse?.StatusCode;
            var attempt = transform.HttpContext.Features.Get<UpstreamAttempt>();
            if (attempt is not null)
            {
                attempt.RetryAfter = RetryAfterOf(transform.ProxyResponse);
            }

            if (status is { } code && RetryableStatuses.Contains(code)
                && (attempt?.WillRetry(code) == true
                    || (feature.FailedAttempts.Count < maxFallbacks && feature.ChosenRank + 1 < feature.Decision!.Ranking.Count)))
            {
                // Held back, not relayed: FallbackStep retries or tries the next expert while the client has seen nothing.
                transform.SuppressResponseBody = true;
                feature.FallbackReason = $"HTTP {code}";
                return ValueTask.CompletedTask;
            }

            var headers = transform.HttpContext.Response.Headers;
            var chosen = feature.Chosen!.Value;
            headers[ExpertHeader] = chosen.Expert.Id;
            headers[RouterHeader] = feature.Decision!.Router;
            headers[TenantResolutionStep.RequestIdHeader] = feature.RequestId;
            if (feature.FailedAttempts.Count > 0)
            {
                headers[FallbackHeader] = string.Join(",", feature.FailedAttempts.Select(a => $"{a.Expert};{a.Reason}"));
            }

            if (!double.IsNaN(chosen.PredictedQuality))
            {
                headers[PredictedQualityHeader] = chosen.PredictedQuality.ToString("F4", CultureInfo.InvariantCulture);
            }

            return ValueTask.CompletedTask;
        });
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage? response) => response?.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
