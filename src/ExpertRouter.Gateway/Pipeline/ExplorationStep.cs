using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Exploration;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Samples requests for exploration (most are not, and pass straight on). A sampled request's response is copied on
/// its way to the client, never held, and once it is complete the sample is queued for the background explorer: the
/// client's answer is neither delayed, changed nor failed by exploring it. Only a complete 200 answer from an expert
/// (not the cache) is explored.
/// </summary>
internal sealed class ExplorationStep(RequestDelegate next, ExplorationQueue exploration, TimeProvider time)
{
    // Not async itself: a request that skips this step continues with the next step's own task, so no state machine
    // (and no closure over the slow path's locals) is allocated for it.
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        return !feature.Tenant.Exploration.Enabled || !exploration.Samples(feature.Tenant, feature.Request!, feature.Plan!)
            ? next(context)
            : ExploreAsync(context, feature);
    }

    private async Task ExploreAsync(HttpContext context, IExpertRoutingFeature feature)
    {
        feature.Outcome.ExplorationRate = feature.Tenant.Exploration.Rate;
        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var capture = new ResponseCaptureStream(context.Response.Body, exploration.MaxCapturedBytes);
        context.Response.Body = capture;
        try
        {
            await next(context);
        }
        catch
        {
            // A sample is either explored or abandoned, so the two counts still add up when a later step fails.
            exploration.Abandon(feature.Tenant);
            throw;
        }
        finally
        {
            context.Features.Set(body);
        }

        var outcome = feature.Outcome;
        if (context.Response.StatusCode == StatusCodes.Status200OK && outcome.Answered is { } served && outcome.Cache is not { IsHit: true }
            && !capture.Overflowed && !context.RequestAborted.IsCancellationRequested)
        {
            var streamed = context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
            exploration.Enqueue(new ExplorationJob(
                time.GetUtcNow(), feature.RequestId, feature.Tenant, feature.Request!, feature.Plan!, served, capture.Captured.ToArray(), streamed));
        }
        else
        {
            exploration.Abandon(feature.Tenant);
        }
    }
}
