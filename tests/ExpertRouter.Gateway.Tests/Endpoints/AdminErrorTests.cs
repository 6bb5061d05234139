using System.Net;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.Tenants;

namespace ExpertRouter.Gateway.Tests.Endpoints;

/// <summary>The admin API answers every error in OpenAI's envelope, as <c>/v1</c> does (docs/console.md lists the codes).</summary>
public sealed class AdminErrorTests : IAsyncLifetime
{
    private readonly TenantTestPolicies _policies = new();
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _policies.Write("acme");
        _gateway = await GatewayBuilder.StartAsync(_policies.Settings());
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _policies.Dispose();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-wrong")]
    [InlineData("sk-test-acme-0123456789abcdefghijklmnop")]
    public async Task Admin_WithoutTheAdminKey_Is401InTheEnvelope(string? key)
    {
        using var client = _gateway.CreateClient(key);

        using var tenants = await client.GetAsync("/admin/tenants");
        using var routers = await client.GetAsync("/admin/routers");
        using var unknown = await client.GetAsync("/admin/nothing");

        await ErrorAssert.IsEnvelopeAsync(tenants, HttpStatusCode.Unauthorized, "invalid_api_key");
        await ErrorAssert.IsEnvelopeAsync(routers, HttpStatusCode.Unauthorized, "invalid_api_key");
        await ErrorAssert.IsEnvelopeAsync(unknown, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Admin_BadRequests_AnswerInTheEnvelopeWithTheirCodes()
    {
        using var admin = _gateway.CreateClient(TenantTestPolicies.AdminKey);

        using var ghost = await admin.GetAsync("/admin/tenants/ghost/usage");
        using var dates = await admin.GetAsync("/admin/tenants/acme/usage?start_date=yesterday");
        using var method = await admin.GetAsync("/admin/policies/reload");
        using var unknown = await admin.GetAsync("/admin/nothing");

        var notFound = await ErrorAssert.IsEnvelopeAsync(ghost, HttpStatusCode.NotFound, "tenant_not_found");
        Assert.Equal("id", notFound.GetProperty("param").GetString());
        var invalid = await ErrorAssert.IsEnvelopeAsync(dates, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("start_date", invalid.GetProperty("param").GetString());
        await ErrorAssert.IsEnvelopeAsync(method, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await ErrorAssert.IsEnvelopeAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Admin_InlineTenants_ReloadIs409InTheEnvelope()
    {
        await using var gateway = await new GatewayBuilder().Tenant("inline", "sk-inline-key").Setting("AdminKeySha256", ExpertRouter.Core.Tenants.ApiKeyHash.Sha256Hex(TenantTestPolicies.AdminKey)).StartAsync();
        using var admin = gateway.CreateClient(TenantTestPolicies.AdminKey);

        using var reload = await admin.PostAsync("/admin/policies/reload", null);

        await ErrorAssert.IsEnvelopeAsync(reload, HttpStatusCode.Conflict, "policies_not_reloadable");
    }

    [Fact]
    public async Task Admin_Off_Is404InTheEnvelope()
    {
        await using var gateway = await GatewayBuilder.StartAsync();
        using var client = gateway.CreateClient("anything");

        using var response = await client.GetAsync("/admin/tenants");

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
