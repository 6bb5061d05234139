using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;

namespace ExpertRouter.Gateway.Tests.Routing;

/// <summary>A shadow router (irt-ze12 behind the cheapest router) predicts on live traffic, is logged beside the serving router, and never decides.</summary>
public sealed class ShadowRoutingTests : IDisposable
{
    private const string AdminKey = "sk-admin-shadow-tests-0123456789";
    private readonly LogFolder _log = new();

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task ShadowChoice_IsLoggedBesideTheServingOne_AndItsAgreementReported()
    {
        await using var gateway = await new GatewayBuilder()
            .Tenant("shadowed", "sk-shadowed", router: "cheapest", policy: ("ShadowRouter", "irt-ze12"))
            .Setting("RequestLog:Directory", _log.Path)
            .Setting("AdminKeySha256", ApiKeyHash.Sha256Hex(AdminKey))
            .StartAsync();
        using var client = gateway.CreateClient("sk-shadowed");
        string[] prompts = ["What is 17 * 23?", "Write a haiku about routers.", "Prove that sqrt(2) is irrational.", "Translate 'hello' to French.", "hi"];

        var ids = new List<string>();
        foreach (var prompt in prompts)
        {
            using var response = await client.PostAsync("/v1/chat/completions", RequestLogSinkTests.Chat("auto", prompt));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("cheapest", response.Headers.GetValues("x-expertrouter-router").Single());
            ids.Add(response.Headers.GetValues("x-request-id").Single());
        }

        var records = new List<Core.Feedback.RequestLogRecord>();
        foreach (var id in ids)
        {
            records.Add(await _log.RecordAsync(id));
        }

        Assert.All(records, r =>
        {
            var shadow = r.Shadow!;
            Assert.Equal("irt-ze12", shadow.Router);
            Assert.StartsWith("sha256:", shadow.RouterVersion);
            Assert.Equal(shadow.Chosen == r.Chosen, shadow.Agrees);
            Assert.Equal(r.Chosen, r.Expert);
            Assert.InRange(shadow.PredictedQuality!.Value, 0, 1);
            Assert.Contains(r.Candidates!, c => c.Expert == shadow.Chosen && c.ExpectedCostUsd == shadow.ExpectedCostUsd);
        });

        using var admin = gateway.CreateClient(null);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var routers = JsonDocument.Parse(await admin.GetStringAsync("/admin/routers"));
        var report = routers.RootElement.GetProperty("shadows").EnumerateArray().Single();
        Assert.Equal(("irt-ze12", "cheapest", 5), (report.GetProperty("shadow").GetString(), report.GetProperty("serving").GetString(), report.GetProperty("decisions").GetInt32()));
        Assert.Equal(records.Count(r => r.Shadow!.Agrees) / 5.0, report.GetProperty("agreement").GetDouble(), 9);
        Assert.Equal(0.5, report.GetProperty("serving_predicted_quality").GetDouble());
        Assert.Equal(records.Average(r => r.Shadow!.ExpectedCostUsd), report.GetProperty("shadow_expected_cost_usd").GetDouble(), 9);
        Assert.Equal(records.Average(r => r.Candidates!.First(c => c.Expert == r.Chosen).ExpectedCostUsd), report.GetProperty("serving_expected_cost_usd").GetDouble(), 9);
    }
}
