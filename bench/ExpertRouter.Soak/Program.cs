using System.Globalization;
using ExpertRouter.Soak;

// Drives mixed traffic at a gateway on loopback for a bounded time and reports per-window latency and the
// gateway's RSS. Usage: ExpertRouter.Soak <base-url> <gateway-pid> <duration-s> [window-s] [concurrency] [seed]
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: ExpertRouter.Soak <base-url> <gateway-pid> <duration-s> [window-s] [concurrency] [seed]");
    return 2;
}

var settings = new SoakSettings(
    new Uri(args[0]),
    int.Parse(args[1], CultureInfo.InvariantCulture),
    TimeSpan.FromSeconds(Math.Min(600, int.Parse(args[2], CultureInfo.InvariantCulture))),
    TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30),
    args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 8,
    args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 42);
if (!settings.BaseUrl.IsLoopback)
{
    Console.Error.WriteLine("soak: loopback only");
    return 2;
}

var windows = await new SoakRunner(settings).RunAsync();
return SoakReport.Print(windows, Console.Out) ? 0 : 1;
