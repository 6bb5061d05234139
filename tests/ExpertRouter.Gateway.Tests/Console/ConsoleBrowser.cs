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

    /// <summary>Logs in through the form, as a person would.</summary>
    public static async Task LoginAsync(IPage page, string key)
    {
        await page.GotoAsync("/ui/login");
        await page.GetByLabel("Key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }
}
