using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>Decides the request (policy, then router): what follows only carries out the plan it leaves on the feature.</summary>
internal sealed class PlanStep(RequestDelegate next, RoutingPlanner planner)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var (plan, error) = await planner.PlanAsync(feature.Tenant, feature.Request!, feature.RequestId, context.RequestAborted, feature.Request!.PromptEmbeddings);
        if (error is not null)
        {
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }

        feature.Plan = plan;
        await next(context);
    }
}
