using System.Text.Json.Serialization;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary><c>GET /v1/models</c>: the experts the caller may use, then the routing and ensemble aliases.</summary>
internal static class ModelsEndpoint
{
    // A fixed creation time keeps the listing stable across restarts and replicas.
    private const long Created = 1_735_689_600;

    public static IResult List(HttpContext context, ExpertCatalog catalog, RouterRegistry routers, EnsembleCatalog ensembles) =>
        Results.Json(new ModelList(Models(context, catalog, routers, ensembles)), EndpointJson.Default.ModelList);

    /// <summary><c>GET /v1/models/{id}</c>: one model of the caller's list (so <c>models.retrieve("auto")</c> works), else 404.</summary>
    public static Task Get(string id, HttpContext context, ExpertCatalog catalog, RouterRegistry routers, EnsembleCatalog ensembles) =>
        Models(context, catalog, routers, ensembles).FirstOrDefault(m => m.Id == id) is { } model
            ? Results.Json(model, EndpointJson.Default.ModelEntry).ExecuteAsync(context)
            : ApiErrorWriter.WriteAsync(context, ApiError.ModelNotFound(id));

    /// <summary>The experts the caller may use, then the routing and ensemble aliases.</summary>
    private static IReadOnlyList<ModelEntry> Models(HttpContext context, ExpertCatalog catalog, RouterRegistry routers, EnsembleCatalog ensembles)
    {
        var tenant = context.Features.GetRequiredFeature<IExpertRoutingFeature>().Tenant;
        var experts = catalog.All.Where(e => tenant.Allows(e.Id))
            .Select(e => Model(e.Id, "expertrouter", e.Capabilities.Embeddings && !e.Capabilities.Chat ? "embeddings" : "chat"));
        var aliases = routers.Names.Order(StringComparer.Ordinal).Select(r => Model(ModelAliases.RouterPrefix + r, "expertrouter-router", "router"))
            .Prepend(Model(ModelAliases.Auto, "expertrouter-router", "router"))
            .Concat(ensembles.Names.Order(StringComparer.Ordinal).Select(n => Model(ModelAliases.EnsemblePrefix + n, "expertrouter-ensemble", "ensemble")));
        return [.. experts.Concat(aliases)];
    }

    private static ModelEntry Model(string id, string ownedBy, string kind) => new(id, Created, ownedBy, kind);
}

/// <summary>OpenAI's model list.</summary>
internal sealed record ModelList(IReadOnlyList<ModelEntry> Data)
{
    // First, where OpenAI puts it.
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

/// <summary>One model of the list; <c>expertrouter_kind</c> says whether it is an expert, a router or an ensemble.</summary>
internal sealed record ModelEntry([property: JsonPropertyOrder(-2)] string Id, long Created, string OwnedBy, string ExpertrouterKind)
{
    // Right after the id, where OpenAI puts it.
    [JsonPropertyOrder(-1)]
    public string Object => "model";
}
