using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ExpertRouter.Simulation;

public static class SimulatorEndpointExtensions
{
    /// <summary>Maps the OpenAI-compatible simulator under <c>/v1</c>.</summary>
    public static IEndpointRouteBuilder MapSimulatedExperts(this IEndpointRouteBuilder endpoints) => endpoints.MapSimulatedExperts("/v1");

    /// <summary>
    /// Maps <c>{prefix}/chat/completions</c>, <c>{prefix}/responses</c> (OpenAI's Responses API),
    /// <c>{prefix}/messages</c> (Anthropic Messages), <c>{prefix}/embeddings</c>, <c>{prefix}/models</c> and
    /// <c>{prefix}/simulator/requests</c> (the requests received per model, for load tests).
    /// </summary>
    public static IEndpointRouteBuilder MapSimulatedExperts(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var chat = services.GetRequiredService<ChatCompletionHandler>();
        var turns = services.GetRequiredService<GenerationTurns>();
        var responses = new NativeApiHandler(turns, NativeApiHandler.Responses);
        var messages = new NativeApiHandler(turns, NativeApiHandler.Messages);
        var embeddings = services.GetRequiredService<EmbeddingHandler>();
        var models = services.GetRequiredService<ModelsHandler>();
        var counts = services.GetRequiredService<RequestCountsHandler>();
        prefix = prefix.TrimEnd('/');
        endpoints.MapPost(prefix + "/chat/completions", (RequestDelegate)chat.HandleAsync);
        endpoints.MapPost(prefix + "/responses", (RequestDelegate)responses.HandleAsync);
        endpoints.MapPost(prefix + "/messages", (RequestDelegate)messages.HandleAsync);
        endpoints.MapPost(prefix + "/embeddings", (RequestDelegate)embeddings.HandleAsync);
        endpoints.MapGet(prefix + "/models", (RequestDelegate)models.HandleAsync);
        endpoints.MapGet(prefix + "/simulator/requests", (RequestDelegate)counts.HandleAsync);
        return endpoints;
    }
}
