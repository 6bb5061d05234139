using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.Tenants;

namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>The console's pages over HTTP on a real gateway: what each shows, who may see it, and its forms.</summary>
public sealed class ConsoleGatewayTests(ConsoleGateway fixture) : IClassFixture<ConsoleGateway>
{
    private static readonly string AcmeKey = TenantTestPolicies.KeyFor(ConsoleGateway.Acme);
    private static readonly string GlobexKey = TenantTestPolicies.KeyFor(ConsoleGateway.Globex);

    [Fact]
    public async Task Overview_FirstResponse_CarriesTheSpendOfTheTestsOwnRequests()
    {
        await fixture.ChatAsync(ConsoleGateway.Globex, "What is 2 + 2?");
        await fixture.ChatAsync(ConsoleGateway.Globex, "What is 3 + 3?");
        using var usageClient = fixture.Host.CreateClient(GlobexKey);
        using var usage = JsonDocument.Parse(await usageClient.GetStringAsync("/v1/usage"));
        var spentToday = usage.RootElement.GetProperty("budget").GetProperty("spent_today_usd").GetDouble();
        using var admin = fixture.Browser(TenantTestPolicies.AdminKey);

        using var response = await admin.GetAsync("/ui/");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(spentToday > 0);
        Assert.Contains($"<a href=\"/ui/tenants/globex\">globex</a></th><td>{Format.Usd(spentToday)}</td><td>{Format.Usd(1.0)}</td>", page);
        Assert.Contains("Requests per second", page);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Routing_ShowsTheTestsDecision_WithItsExpertAndAlternatives()
    {
        var (requestId, expert) = await fixture.ChatAsync(ConsoleGateway.Acme, "Prove that the square root of two is irrational.");
        using var admin = fixture.Browser(TenantTestPolicies.AdminKey);

        var page = await admin.GetStringAsync($"/ui/routing?request={requestId}");

        Assert.Contains($"data-request=\"{requestId}\"", page);
        var row = page[page.IndexOf($"data-request=\"{requestId}\"", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        Assert.Contains("<td>irt-ze12</td>", row);
        Assert.Contains($"<td>{expert}</td>", row);
        Assert.Contains($"Alternatives for {requestId}", page);
        Assert.Contains("lower utility (quality − λ·cost)", page);
    }

    [Fact]
    public async Task Pages_WrongKeyAndNoKey_AreRefused()
    {
        using var wrong = fixture.Browser("sk-not-a-key");
        using var anonymous = fixture.Browser(null);
        using var script = fixture.Host.CreateClient(null);

        using var wrongPage = await wrong.GetAsync("/ui/experts");
        using var redirected = await anonymous.GetAsync("/ui/experts?x=1");
        using var scripted = await script.GetAsync("/ui/");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPage.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, redirected.StatusCode);
        Assert.Equal("/ui/login?next=%2Fui%2Fexperts%3Fx%3D1", redirected.Headers.Location?.ToString());
        await ErrorAssert.IsEnvelopeAsync(scripted, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Theory]
    [InlineData("/ui/experts")]
    [InlineData("/ui/tenants")]
    [InlineData("/ui/routers")]
    public async Task AdminPages_TenantKey_IsForbidden(string path)
    {
        using var tenant = fixture.Browser(AcmeKey);

        using var response = await tenant.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("needs the admin key", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TenantView_ShowsItsOwnTraffic_NeverAnotherTenant()
    {
        var (globexRequest, _) = await fixture.ChatAsync(ConsoleGateway.Globex, "Spell 'tenant'.");
        var (acmeRequest, _) = await fixture.ChatAsync(ConsoleGateway.Acme, "Spell 'routing'.");
        using var acme = fixture.Browser(AcmeKey);

        var overview = await acme.GetStringAsync("/ui/");
        var routing = await acme.GetStringAsync("/ui/routing?tenant=globex&limit=1000");
        using var other = await acme.GetAsync("/ui/tenants/globex");
        var own = await acme.GetStringAsync("/ui/tenants/acme");

        Assert.DoesNotContain("globex", overview);
        Assert.Contains(acmeRequest, routing);
        Assert.DoesNotContain(globexRequest, routing);
        Assert.DoesNotContain("globex", routing);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains(ApiKeyHash.Sha256Hex(AcmeKey), own);
        Assert.DoesNotContain("Issue a new key", own);
    }

    [Fact]
    public async Task Login_SetsASecureHttpOnlyStrictCookie_AndForms_NeedTheirCsrfToken()
    {
        using var browser = fixture.Browser(null);
        var (loginCookie, loginToken) = await LoginFormAsync(browser);

        using var forged = await browser.SendAsync(Form("/ui/login", loginCookie, ("_csrf", "forged"), ("key", TenantTestPolicies.AdminKey)));
        using var wrongKey = await browser.SendAsync(Form("/ui/login", loginCookie, ("_csrf", loginToken), ("key", "sk-wrong")));
        using var login = await browser.SendAsync(Form("/ui/login", loginCookie, ("_csrf", loginToken), ("key", TenantTestPolicies.AdminKey), ("next", "/ui/experts")));
        var setCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-er-console=", StringComparison.Ordinal));
        var session = setCookie.Split(';')[0];
        var experts = await SendAsync(browser, HttpMethod.Get, "/ui/experts", session);
        var csrf = Between(experts, "name=\"_csrf\" value=\"", "\"");
        using var logoutWithoutToken = await browser.SendAsync(Form("/ui/logout", session));
        using var crossSite = await browser.SendAsync(Form("/ui/logout", session, ("_csrf", csrf)).WithOrigin("https://evil.example"));
        using var logout = await browser.SendAsync(Form("/ui/logout", session, ("_csrf", csrf)));
        using var afterLogout = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/ui/experts").WithCookie(session));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/ui/experts", login.Headers.Location?.ToString());
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h1>Experts</h1>", experts);
        Assert.Equal(HttpStatusCode.Forbidden, logoutWithoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, afterLogout.StatusCode);
        Assert.StartsWith("/ui/login", afterLogout.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Login_NextOutsideTheConsole_GoesToTheOverview()
    {
        using var browser = fixture.Browser(null);
        var (cookie, token) = await LoginFormAsync(browser);

        using var login = await browser.SendAsync(Form("/ui/login", cookie, ("_csrf", token), ("key", AcmeKey), ("next", "//evil.example/ui/")));

        Assert.Equal("/ui/", login.Headers.Location?.ToString());
    }

    [Fact]
    public async Task IssueKey_ShowsTheKeyOnce_WritesOnlyItsHash_AndTheKeyWorksAtOnce()
    {
        using var admin = fixture.Browser(TenantTestPolicies.AdminKey);

        using var issued = await admin.PostAsync("/ui/tenants/globex/keys", new FormUrlEncodedContent([]));
        var page = await issued.Content.ReadAsStringAsync();
        var key = Between(page, "<code id=\"issued-key\">", "</code>");
        using var client = fixture.Host.CreateClient(key);
        using var models = await client.GetAsync("/v1/models");
        var file = await File.ReadAllTextAsync(Path.Combine(fixture.PolicyFolder, "globex.yaml"));
        var again = await admin.GetStringAsync("/ui/tenants/globex");

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.StartsWith("sk-", key);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains(ApiKeyHash.Sha256Hex(key), file);
        Assert.DoesNotContain(key, file);
        Assert.DoesNotContain(key, again);
        Assert.Contains(ApiKeyHash.Sha256Hex(key), again);
    }

    [Fact]
    public async Task TenantsPage_ListsTheErrorsOfTheLastPolicyReload()
    {
        var bad = Path.Combine(fixture.PolicyFolder, "broken.yaml");
        await File.WriteAllTextAsync(bad, "id: broken\napiKeySha256: [nothex]\nrateLimits:\n  requestsPerMinute: lots\n");
        try
        {
            using var admin = fixture.Browser(TenantTestPolicies.AdminKey);
            using var reload = await admin.PostAsync("/ui/policies/reload", new FormUrlEncodedContent([]));
            var page = await reload.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
            Assert.Contains("1 rejected", page);
            Assert.Contains("<h3>broken.yaml</h3>", page);
            Assert.Contains("line 4, column", page);
        }
        finally
        {
            File.Delete(bad);
            fixture.Host.Services.GetRequiredService<ExpertRouter.Policies.PolicyDirectory>().Reload();
        }
    }

    [Fact]
    public async Task RoutersPage_ShowsRoutersReloadAndFeedbackRates()
    {
        var (requestId, _) = await fixture.ChatAsync(ConsoleGateway.Acme, "Name a sorting algorithm.");
        using var tenant = fixture.Host.CreateClient(AcmeKey);
        using var feedback = await tenant.PostAsync("/v1/feedback", new StringContent($$"""{"request_id":"{{requestId}}","score":0.75}""", Encoding.UTF8, "application/json"));
        using var admin = fixture.Browser(TenantTestPolicies.AdminKey);

        var page = await admin.GetStringAsync("/ui/routers");
        using var reload = await admin.PostAsync("/ui/routers/reload", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        Assert.Contains("<th scope=\"row\">irt-ze12</th><td>folder</td>", page);
        var row = page[page.IndexOf("Per router, over the", StringComparison.Ordinal)..];
        row = row[row.IndexOf("<th scope=\"row\">irt-ze12</th>", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        Assert.Contains("<td>0.7500</td>", row);
        Assert.Contains("irt-ze12: predicted quality against cost", page);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Contains("Reloaded: 0 router(s) swapped in", await reload.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RoutersPage_ShowsTheShadowRouter_WithItsAgreementOverTheTestsRequests()
    {
        // Only this test sends initech's traffic, so the shadow pair's figures are this test's requests alone.
        string[] prompts = ["What is 17 * 23?", "Write a haiku about routers.", "Prove that sqrt(2) is irrational.", "Translate 'hello' to French.", "hi"];
        var records = new List<Core.Feedback.RequestLogRecord>();
        foreach (var prompt in prompts)
        {
            var (requestId, _) = await fixture.ChatAsync(ConsoleGateway.Initech, prompt);
            // The shadow predicts in the log's worker, after the response; its record holds the shadow's choice once it is in.
            records.Add(await fixture.Log.RecordAsync(requestId));
        }

        using var admin = fixture.Browser(TenantTestPolicies.AdminKey);

        var page = await admin.GetStringAsync("/ui/routers");

        Assert.All(records, r => Assert.Equal("irt-ze12", r.Shadow?.Router));
        var agreeing = records.Count(r => r.Shadow!.Agrees);
        var agreement = agreeing / (double)prompts.Length;
        var shadowQuality = records.Average(r => r.Shadow!.PredictedQuality!.Value);
        var shadowCost = records.Average(r => r.Shadow!.ExpectedCostUsd);
        var servingCost = records.Average(r => r.Candidates!.First(c => c.Expert == r.Chosen).ExpectedCostUsd);
        var section = page[page.IndexOf("<section id=\"shadows\"", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.DoesNotContain("No shadow router has predicted yet", section);
        var row = section[section.IndexOf("<tr><th scope=\"row\">irt-ze12</th><td>cheapest</td>", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        // Decisions: the window holds every one of the test's requests, and they are all the pair has seen.
        Assert.Contains($"<td>{prompts.Length} of {prompts.Length}</td>", row);
        Assert.Contains($"value=\"{agreement.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}\"", row);
        Assert.Contains($"</meter> {Format.Percent(agreement)}</td>", row);
        // The cheapest router predicts 0.5 for every expert; the shadow's and both costs are the records' means.
        Assert.Contains($"<td>{Format.Quality(0.5)} / {Format.Quality(shadowQuality)}</td>", row);
        Assert.Contains($"<td>{Format.Usd(servingCost)} / {Format.Usd(shadowCost)}</td>", row);
    }

    [Fact]
    public async Task Assets_AreServedFromTheAssembly_WithAnETag()
    {
        using var anonymous = fixture.Browser(null);

        using var script = await anonymous.GetAsync("/ui/assets/console.js");
        using var again = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/ui/assets/console.js") { Headers = { { "If-None-Match", script.Headers.ETag!.Tag } } });
        using var missing = await anonymous.GetAsync("/ui/assets/nothing.js");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("data-live", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Console_WithoutAnAdminKey_IsOff()
    {
        await using var gateway = await GatewayBuilder.StartAsync();
        using var client = gateway.CreateClient(GatewayHost.DemoKey);

        using var response = await client.GetAsync("/ui/");

        var error = await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Contains("expertrouter keys admin", error.GetProperty("message").GetString());
    }

    private static async Task<(string Cookie, string Token)> LoginFormAsync(HttpClient browser)
    {
        using var form = await browser.GetAsync("/ui/login");
        var cookie = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-er-login=", StringComparison.Ordinal)).Split(';')[0];
        var token = Between(await form.Content.ReadAsStringAsync(), "name=\"_csrf\" value=\"", "\"");
        return (cookie, token);
    }

    private static HttpRequestMessage Form(string path, string cookie, params (string Name, string Value)[] fields) =>
        new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))) }.WithCookie(cookie);

    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string path, string cookie)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, path).WithCookie(cookie));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start}' not found");
        from += start.Length;
        return WebUtility.HtmlDecode(text[from..text.IndexOf(end, from, StringComparison.Ordinal)]);
    }
}

internal static class ConsoleRequests
{
    /// <summary>The cookie by hand: .NET's cookie container never sends a Secure cookie over plain HTTP, as browsers do on loopback.</summary>
    public static HttpRequestMessage WithCookie(this HttpRequestMessage request, string cookie)
    {
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    public static HttpRequestMessage WithOrigin(this HttpRequestMessage request, string origin)
    {
        request.Headers.Add("Origin", origin);
        return request;
    }
}
