using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>Decides the request (policy, then router): what follows only carries out the plan it leaves on the feature.</summary>
internal sealed class PlanStep(RequestDelegate next, RoutingPlanner planner)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var planning = planner.PlanAsync(feature.Tenant, feature.Request!, feature.RequestId, context.RequestAborted, feature.Request!.PromptEmbeddings);
        // A plan is usually made synchronously: then the request goes on with the next step's own task, and no state
        // machine is allocated for this one.
        return planning.IsCompletedSuccessfully ? Continue(context, feature, planning.Result) : ContinueAsync(context, feature, planning);
    }

    private async Task ContinueAsync(HttpContext context, IExpertRoutingFeature feature, ValueTask<(RoutingPlan?, ApiError?)> planning) =>
        await Continue(context, feature, await planning);

    private Task Continue(HttpContext context, IExpertRoutingFeature feature, (RoutingPlan? Plan, ApiError? Error) planned)
    {
        if (planned.Error is not null)
        {
            return ApiErrorWriter.WriteAsync(context, planned.Error);
        }

        feature.Plan = planned.Plan;
        return next(context);
    }
}
