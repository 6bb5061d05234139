using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ExpertRouter.Soak;

/// <summary>Runs <see cref="SoakSettings.Concurrency"/> closed-loop workers until the duration ends, window by window.</summary>
internal sealed class SoakRunner(SoakSettings settings)
{
    private readonly ConcurrentBag<double> _latencies = [];
    private int _serverErrors;
    private int _clientErrors;
    private int _failures;

    public async Task<IReadOnlyList<SoakWindow>> RunAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency })
        {
            BaseAddress = settings.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var stop = new CancellationTokenSource(settings.Duration);
        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(i => Task.Run(() => WorkAsync(client, new Random(settings.Seed + i), stop.Token)))
            .ToArray();
        var windows = new List<SoakWindow>();
        var count = (int)Math.Ceiling(settings.Duration / settings.Window);
        for (var index = 1; index <= count; index++)
        {
            try
            {
                await Task.Delay(settings.Window, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // The last window may be shorter; it is still reported.
            }

            windows.Add(Drain(index));
            Console.Error.WriteLine($"soak: window {index}/{count} done");
        }

        await Task.WhenAll(workers);
        return windows;
    }

    private async Task WorkAsync(HttpClient client, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var request = SoakTraffic.Next(random);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, stop);
                _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    Interlocked.Increment(ref _serverErrors);
                }
                else if (status >= 400)
                {
                    Interlocked.Increment(ref _clientErrors);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failures);
            }
        }
    }

    private SoakWindow Drain(int index)
    {
        var latencies = new List<double>();
        while (_latencies.TryTake(out var latency))
        {
            latencies.Add(latency);
        }

        latencies.Sort();
        return new SoakWindow(
            index,
            latencies.Count,
            Interlocked.Exchange(ref _serverErrors, 0),
            Interlocked.Exchange(ref _clientErrors, 0),
            Interlocked.Exchange(ref _failures, 0),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            RssMiB(settings.GatewayPid));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double RssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
