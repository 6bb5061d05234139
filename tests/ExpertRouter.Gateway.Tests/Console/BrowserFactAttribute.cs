namespace ExpertRouter.Gateway.Tests.Console;

/// <summary>
/// A test that drives a real browser: Debian's chromium by its path (<c>CHROMIUM_PATH</c>, else <c>/usr/bin/chromium</c>),
/// since Playwright's own browser download cannot run here. Where no browser exists the test is reported as skipped,
/// saying why; CI installs chromium (.ci/run), so there it always runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (ChromiumPath is null)
        {
            Skip = "No chromium at CHROMIUM_PATH or /usr/bin/chromium: install Debian's chromium (apt-get install chromium, as .ci/run does) to run the console's browser tests.";
        }
    }

    public static string? ChromiumPath =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium" }.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
}
