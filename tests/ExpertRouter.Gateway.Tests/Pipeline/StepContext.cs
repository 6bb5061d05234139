using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>A request as a pipeline step sees it: a <see cref="DefaultHttpContext"/> carrying the routing feature, parsed and planned.</summary>
internal static class StepContext
{
    public static DefaultHttpContext For(TenantPolicy tenant, string json, params ExpertDefinition[] candidates) =>
        For(tenant, json, Plan("test-router", candidates));

    public static DefaultHttpContext For(TenantPolicy tenant, string json, RoutingPlan? plan)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var request = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.ChatCompletions).Request
            ?? throw new ArgumentException("The test's body does not parse.", nameof(json));
        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(tenant, "req-test") { Request = request, Plan = plan });
        return context;
    }

    /// <summary>A request not parsed yet, as the steps before the parse step see it: a POST of <paramref name="body"/> to <paramref name="path"/>.</summary>
    public static DefaultHttpContext Post(string path, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = path;
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = "application/json";
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A plan that ranks <paramref name="experts"/> in the order given, predicting 0.5 for each.</summary>
    public static RoutingPlan Plan(string router, params ExpertDefinition[] experts)
    {
        var ranking = experts.Select(e => new ExpertScore(e, 0.5, e.CostUsd(10, e.ExpectedOutputTokens), 0.5)).ToArray();
        return new RoutingPlan { Router = router, Ranking = ranking, Fallbacks = ranking };
    }

    public static IExpertRoutingFeature Feature(this HttpContext context) => context.Features.GetRequiredFeature<IExpertRoutingFeature>();

    public static string Body(this HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
