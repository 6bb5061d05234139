using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Pipeline;

public sealed class TenantStepTests
{
    private static readonly TenantPolicy Tenant = new() { Id = "t", ApiKeySha256 = [ApiKeyHash.Sha256Hex("sk-good")] };
    private bool _nextCalled;

    private TenantStep Step() => new(_ => { _nextCalled = true; return Task.CompletedTask; }, new ConfiguredTenantDirectory([Tenant]), NullLogger<TenantStep>.Instance);

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer sk-wrong")]
    [InlineData("Basic sk-good")]
    public async Task MissingOrUnknownKey_Is401_AndGoesNoFurther(string? authorization)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        await Step().InvokeAsync(context);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Contains("invalid_api_key", context.Body());
        Assert.False(_nextCalled);
        Assert.Null(context.Features.Get<IExpertRoutingFeature>());
    }

    [Fact]
    public async Task KnownKey_BearsTheFeature_WithTheClientsRequestId()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer sk-good";
        context.Request.Headers["x-request-id"] = "trace-123";

        await Step().InvokeAsync(context);

        Assert.True(_nextCalled);
        Assert.Equal(("t", "trace-123"), (context.Feature().Tenant.Id, context.Feature().RequestId));
        Assert.Equal("trace-123", context.Response.Headers["x-request-id"].ToString());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task UnusableRequestId_IsReplaced(string incoming)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer sk-good";
        context.Request.Headers["x-request-id"] = incoming;

        await Step().InvokeAsync(context);

        Assert.StartsWith("req_", context.Feature().RequestId);
    }
}
