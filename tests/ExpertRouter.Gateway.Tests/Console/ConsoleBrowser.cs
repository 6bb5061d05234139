using Microsoft.Playwright;

namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>
/// A console gateway and one headless chromium for a test class; each test opens its own browser context (its own
/// cookies). Screenshots go to <c>console-screenshots</c> in the test output, or to <c>CONSOLE_SCREENSHOTS</c>.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public ConsoleGateway Gateway { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public string Screenshots { get; } = Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    public async Task InitializeAsync()
    {
        await Gateway.InitializeAsync();
        if (BrowserFactAttribute.ChromiumPath is not { } chromium)
        {
            return;
        }

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }

        await Gateway.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Gateway.Host.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Logs in through the form, as a person would, and returns once the page the form led to shows: the signed-in
    /// page (its Log out button) or the login form with its refusal (an alert). It waits on what the page shows, not on
    /// load events: on a loaded CI machine a load-state wait once returned before the form's navigation (the next click
    /// landed on a half-loaded page) and once never saw the refusal page's load.
    /// </summary>
    public static async Task LoginAsync(IPage page, string key)
    {
        await page.GotoAsync("/ui/login");
        await page.GetByLabel("Key").FillAsync(key);
        await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log in" }).ClickAsync(),
            response => response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == "/ui/login");
        var signedIn = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log out" });
        await Assertions.Expect(signedIn.Or(page.GetByRole(AriaRole.Alert))).ToBeVisibleAsync(Shows);
    }

    /// <summary>Submits the Log out form and returns once the login form it leads to shows.</summary>
    public static async Task LogoutAsync(IPage page)
    {
        await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log out" }).ClickAsync(),
            response => response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == "/ui/logout");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log in" })).ToBeVisibleAsync(Shows);
    }

    /// <summary>As long as Playwright's own action timeout: a loaded 2-core CI machine is slower than the 5 s default.</summary>
    private static LocatorAssertionsToBeVisibleOptions Shows => new() { Timeout = 30_000 };
}
