using System.Text.Json;
using Deque.AxeCore.Playwright;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Tests.Tenants;
using Microsoft.Playwright;

namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>
/// The console in a real browser: logging in through the form, every page showing data this test made, live updates
/// without a reload, refusals, and no serious or critical accessibility violation (axe) on any page.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleBrowser fixture) : IClassFixture<ConsoleBrowser>
{
    private static readonly string AcmeKey = TenantTestPolicies.KeyFor(ConsoleGateway.Acme);

    [BrowserFact]
    public async Task Admin_EveryPage_ShowsTheTestsData_AndPassesAxe()
    {
        var gateway = fixture.Gateway;
        var (acmeRequest, acmeExpert) = await gateway.ChatAsync(ConsoleGateway.Acme, "Explain the Pythagorean theorem in one sentence.");
        await gateway.ChatAsync(ConsoleGateway.Acme, "What is the capital of Australia?");
        await gateway.ChatAsync(ConsoleGateway.Globex, "Translate 'good morning' into French.");
        // initech serves on the cheapest router, which rates every expert alike, so its best expert is the dearest and
        // routing saves against it; irt-ze12 shadows it, so the routers page has a shadow pair to show.
        await gateway.ChatAsync(ConsoleGateway.Initech, "Name three prime numbers.");
        using var usageClient = gateway.Host.CreateClient(AcmeKey);
        using var usage = JsonDocument.Parse(await usageClient.GetStringAsync("/v1/usage"));
        var acmeSpentToday = Format.Usd(usage.RootElement.GetProperty("budget").GetProperty("spent_today_usd").GetDouble());
        var page = await fixture.NewPageAsync();

        await ConsoleBrowser.LoginAsync(page, TenantTestPolicies.AdminKey);

        Assert.EndsWith("/ui/", page.Url);
        var spendRow = page.Locator("#spend tr", new PageLocatorOptions { Has = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "acme", Exact = true }) });
        await Assertions.Expect(spendRow).ToContainTextAsync(acmeSpentToday);
        await Assertions.Expect(page.Locator("#savings")).ToContainTextAsync("acme");
        var initechSavings = page.Locator("#savings tr", new PageLocatorOptions { Has = page.GetByRole(AriaRole.Rowheader, new PageGetByRoleOptions { Name = "initech", Exact = true }) });
        Assert.DoesNotMatch(@"^\$0 \(", (await initechSavings.Locator("td").Nth(4).TextContentAsync())?.Trim() ?? "");
        await CheckAsync(page, "overview");

        await page.GotoAsync("/ui/routing");
        var decision = page.Locator($"tr[data-request='{acmeRequest}']");
        await Assertions.Expect(decision).ToContainTextAsync(acmeExpert);
        await Assertions.Expect(decision).ToContainTextAsync("irt-ze12");
        await page.GetByText($"Alternatives for {acmeRequest}").ClickAsync();
        await Assertions.Expect(page.Locator("details[open] table.inner")).ToContainTextAsync("lower utility");
        await CheckAsync(page, "routing");

        await page.GotoAsync("/ui/experts");
        var expertRow = page.Locator("#experts tbody tr", new PageLocatorOptions { Has = page.GetByRole(AriaRole.Rowheader, new PageGetByRoleOptions { Name = acmeExpert, Exact = true }) });
        await Assertions.Expect(expertRow).ToContainTextAsync("healthy");
        Assert.NotEqual("0", (await expertRow.Locator("td").Nth(3).TextContentAsync())?.Trim());
        await CheckAsync(page, "experts");

        await page.GotoAsync("/ui/tenants");
        await Assertions.Expect(page.Locator("#tenants")).ToContainTextAsync("globex");
        await CheckAsync(page, "tenants");

        await page.GotoAsync("/ui/tenants/acme");
        await Assertions.Expect(page.Locator("#tenant-spend")).ToContainTextAsync(acmeSpentToday);
        await CheckAsync(page, "tenant-acme");

        await page.GotoAsync("/ui/routers");
        await Assertions.Expect(page.Locator("#routers")).ToContainTextAsync("irt-ze12");
        // The shadow predicts after the response, in the request log's worker; the section updates live until it shows.
        var shadow = page.Locator("#shadows tr", new PageLocatorOptions { Has = page.GetByRole(AriaRole.Rowheader, new PageGetByRoleOptions { Name = "irt-ze12", Exact = true }) });
        await Assertions.Expect(shadow).ToContainTextAsync("cheapest", new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        await CheckAsync(page, "routers");
    }

    [BrowserFact]
    public async Task Routing_NewDecisions_AppearWithoutAReload()
    {
        var page = await fixture.NewPageAsync();
        await ConsoleBrowser.LoginAsync(page, TenantTestPolicies.AdminKey);
        await page.GotoAsync("/ui/routing");
        // A mark on the window survives live updates and dies with a reload.
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        var (requestId, expert) = await fixture.Gateway.ChatAsync(ConsoleGateway.Globex, "Count to three.");

        await Assertions.Expect(page.Locator($"tr[data-request='{requestId}']")).ToContainTextAsync(expert, new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Updated at");
    }

    [BrowserFact]
    public async Task TenantKey_SeesItsOwnView_AndIsRefusedTheAdminPages()
    {
        var (acmeRequest, _) = await fixture.Gateway.ChatAsync(ConsoleGateway.Acme, "Name a primary colour.");
        var (globexRequest, _) = await fixture.Gateway.ChatAsync(ConsoleGateway.Globex, "Name a secondary colour.");
        var page = await fixture.NewPageAsync();

        await ConsoleBrowser.LoginAsync(page, AcmeKey);

        await Assertions.Expect(page.GetByText("Signed in as tenant acme")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Experts" }).CountAsync());
        Assert.DoesNotContain("globex", await page.ContentAsync());
        await page.GotoAsync("/ui/routing?limit=1000");
        await Assertions.Expect(page.Locator($"tr[data-request='{acmeRequest}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"tr[data-request='{globexRequest}']")).ToHaveCountAsync(0);
        foreach (var path in new[] { "/ui/experts", "/ui/tenants", "/ui/routers" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response?.Status);
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs the admin key");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "tenant-refused.png"), FullPage = true });
        await CheckAsync(page, "tenant-refused", screenshot: false);
    }

    [BrowserFact]
    public async Task WrongKey_IsRefusedAtTheLoginForm()
    {
        var page = await fixture.NewPageAsync();

        await ConsoleBrowser.LoginAsync(page, "sk-this-key-opens-nothing");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That key opens nothing here");
        var overview = await page.GotoAsync("/ui/");
        Assert.Contains("/ui/login", page.Url);
        Assert.Equal(200, overview?.Status);
        await CheckAsync(page, "login-refused");
    }

    [BrowserFact]
    public async Task Logout_EndsTheSession()
    {
        var page = await fixture.NewPageAsync();
        await ConsoleBrowser.LoginAsync(page, TenantTestPolicies.AdminKey);

        await ConsoleBrowser.LogoutAsync(page);
        await page.GotoAsync("/ui/experts");

        Assert.Contains("/ui/login", page.Url);
    }

    /// <summary>Saves a screenshot, then fails on any serious or critical accessibility violation axe finds.</summary>
    private async Task CheckAsync(IPage page, string name, bool screenshot = true)
    {
        if (screenshot)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, name + ".png"), FullPage = true });
        }

        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{name}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))}")));
    }
}
