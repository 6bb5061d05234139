using System.Text.Json;
using System.Text.Json.Serialization;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Policies;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// Every type the gateway serialises itself, source-generated: a natively compiled gateway (<c>PublishAot</c>) has no
/// reflection-based JSON, and the generated code is also what the JIT build runs.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelEntry))]
[JsonSerializable(typeof(TenantUsageReport))]
[JsonSerializable(typeof(AdminTenant[]))]
[JsonSerializable(typeof(AdminRejections))]
[JsonSerializable(typeof(AdminAccounting))]
[JsonSerializable(typeof(PolicyReloadResult))]
[JsonSerializable(typeof(FeedbackAccepted))]
[JsonSerializable(typeof(AdminRouters))]
[JsonSerializable(typeof(RouterReloadResult))]
internal sealed partial class EndpointJson : JsonSerializerContext;
