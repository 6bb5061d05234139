using Spectre.Console;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Progress on stderr: Spectre.Console bars on an interactive terminal; plain lines when output is redirected or
/// CI=true, so logs stay readable.
/// </summary>
internal static class ConsoleProgress
{
    public static bool Interactive =>
        !Console.IsErrorRedirected &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs <paramref name="work"/> with a callback (task, stage, fraction done).</summary>
    public static async Task<T> RunAsync<T>(Func<Action<string, string, double>, Task<T>> work)
    {
        if (!Interactive)
        {
            var last = new Dictionary<string, string>();
            return await work((task, stage, _) =>
            {
                lock (last)
                {
                    if (!last.TryGetValue(task, out var seen) || seen != stage)
                    {
                        last[task] = stage;
                        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {task}: {stage}");
                    }
                }
            });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = await work((task, stage, fraction) =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(task, out var bar))
                        {
                            bar = tasks[task] = context.AddTask(Markup.Escape(task), maxValue: 1.0);
                        }

                        bar.Description = Markup.Escape($"{task}: {stage}");
                        bar.Value = stage == "done" ? 1.0 : Math.Clamp(fraction, 0, 1);
                    }
                });
            });
        return result;
    }
}
