using System.CommandLine;
using ExpertRouter.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter simulate --urls http://127.0.0.1:9001[,http://127.0.0.1:9002] [--ttft-ms N] [--per-token-ms N]
/// [--replay file] [--config file.json]</c>: one simulated expert server per URL, until Ctrl+C.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var urls = new Option<string[]>("--urls")
        {
            Description = "Loopback URLs to listen on, comma-separated or repeated; one independent server each.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var ttft = new Option<int?>("--ttft-ms") { Description = "Time to first token in milliseconds (all models)." };
        var perToken = new Option<int?>("--per-token-ms") { Description = "Delay between streamed tokens in milliseconds." };
        var replay = new Option<string?>("--replay") { Description = "A .jsonl(.gz) routing dataset whose recorded responses are replayed." };
        var config = new Option<string?>("--config") { Description = "A JSON file with a \"Simulator\" section (or the options at its root)." };
        var command = new Command("simulate", "Run OpenAI-compatible simulated experts (chat, embeddings, models) until Ctrl+C.")
        {
            urls, ttft, perToken, replay, config,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            SplitUrls(parse.GetValue(urls) ?? []),
            BuildOptions(parse.GetValue(config), parse.GetValue(ttft), parse.GetValue(perToken), parse.GetValue(replay)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    internal static IReadOnlyList<string> SplitUrls(IEnumerable<string> values) =>
        values.SelectMany(value => value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();

    /// <summary>The config file's options, with any command-line flag taking precedence.</summary>
    internal static SimulatorOptions BuildOptions(string? configPath, int? ttftMs, int? perTokenMs, string? replayPath)
    {
        var options = new SimulatorOptions();
        if (configPath is not null)
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configPath), optional: false).Build();
            options = SimulatorOptions.FromConfiguration(configuration);
        }

        return options with
        {
            TimeToFirstTokenMs = ttftMs ?? options.TimeToFirstTokenMs,
            PerTokenDelayMs = perTokenMs ?? options.PerTokenDelayMs,
            ReplayDataset = replayPath ?? options.ReplayDataset,
        };
    }

    // Kestrel reports every injected mid-stream cut as an application error (the body is shorter than declared);
    // those are intended, so its category is silenced below critical.
    private static void ConsoleWarnings(ILoggingBuilder logging) => logging
        .AddSimpleConsole()
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Critical);

    private static async Task<int> RunAsync(IReadOnlyList<string> urls, SimulatorOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            await error.WriteLineAsync("Invalid simulator options:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
            return 2;
        }

        var servers = new List<SimulatedExpertServer>();
        try
        {
            foreach (var url in urls)
            {
                var server = await SimulatedExpertServer.StartAsync(options, url, TimeProvider.System, ConsoleWarnings, cancellationToken);
                servers.Add(server);
                await output.WriteLineAsync($"Simulated experts listening on {server.BaseAddress}");
            }

            await output.WriteLineAsync("Press Ctrl+C to stop.");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: a normal way to stop.
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        return 0;
    }
}
