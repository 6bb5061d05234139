using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Narrows the candidates to what this request may use: the named expert (then the tenant's fallback chain, in
/// order, so a named request can still fall back when its tenant asked for that), or every expert that the tenant
/// allows and that can serve the request (endpoint, tools, context length).
/// </summary>
internal sealed class PolicyStep(RequestDelegate next, ExpertCatalog catalog, RouterRegistry routers)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        var error = Narrow(feature, request);
        return error is null ? next(context) : ApiErrorWriter.WriteAsync(context, error);
    }

    private ApiError? Narrow(IExpertRoutingFeature feature, OpenAIRequest request)
    {
        var routerName = ModelAliases.RouterFor(request.Model, feature.Tenant.Router);
        if (routerName is null)
        {
            if (!catalog.TryGet(request.Model, out var expert))
            {
                return ApiError.ModelNotFound(request.Model);
            }

            if (!feature.Tenant.Allows(expert.Id))
            {
                return ApiError.Forbidden($"Your key may not use model '{expert.Id}'.", "model");
            }

            if (!Serves(expert, request))
            {
                return ApiError.InvalidRequest(
                    $"Model '{expert.Id}' cannot serve this request ({Needs(request)}).", "model", "model_not_supported");
            }

            feature.Candidates = [expert, .. FallbackChain(feature, request, except: expert.Id)];
            return null;
        }

        if (!routers.TryGet(routerName, out _))
        {
            return ApiError.ModelNotFound(request.Model);
        }

        var pool = request.Endpoint == OpenAIEndpoint.Embeddings ? catalog.Embeddings : catalog.Chat;
        var candidates = pool.Where(e => feature.Tenant.Allows(e.Id) && Serves(e, request)).ToArray();
        if (candidates.Length == 0)
        {
            return ApiError.Forbidden($"No expert your key may use can serve this request ({Needs(request)}).");
        }

        feature.Candidates = candidates;
        return null;
    }

    private IEnumerable<ExpertDefinition> FallbackChain(IExpertRoutingFeature feature, OpenAIRequest request, string except)
    {
        foreach (var id in feature.Tenant.FallbackChain)
        {
            if (!string.Equals(id, except, StringComparison.Ordinal) && catalog.TryGet(id, out var fallback)
                && feature.Tenant.Allows(fallback.Id) && Serves(fallback, request))
            {
                yield return fallback;
            }
        }
    }

    private static bool Serves(ExpertDefinition expert, OpenAIRequest request) =>
        (request.Endpoint == OpenAIEndpoint.Embeddings ? expert.Capabilities.Embeddings : expert.Capabilities.Chat)
        && (!request.UsesTools || expert.Capabilities.Tools)
        && request.PromptTokens <= expert.Capabilities.ContextTokens;

    private static string Needs(OpenAIRequest request) =>
        $"{(request.Endpoint == OpenAIEndpoint.Embeddings ? "embeddings" : "chat")}"
        + (request.UsesTools ? ", tools" : "")
        + $", about {request.PromptTokens} prompt tokens";
}
