using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// Reloads the router folders when their files change: file events, debounced (a model is copied in several writes),
/// backed by a poll for file systems that do not report events. A folder whose change was rejected is not retried
/// until its files change again; <c>POST /admin/routers/reload</c> retries it at once.
/// </summary>
internal sealed partial class RouterFolderWatcher(
    RouterRegistry registry, IEnumerable<RouterFolderSource> folders, IOptions<GatewayOptions> options, TimeProvider time, ILogger<RouterFolderWatcher> logger)
    : IHostedService, IDisposable
{
    private readonly List<FileSystemWatcher> _events = [];
    private ITimer? _debounce;
    private ITimer? _poll;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.RouterReload;
        var watched = folders.Select(f => f.Folder).Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToArray();
        if (!settings.Watch || watched.Length == 0)
        {
            return Task.CompletedTask;
        }

        var debounce = TimeSpan.FromMilliseconds(settings.DebounceMilliseconds);
        _debounce = time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => Reload(), null, TimeSpan.FromSeconds(settings.PollSeconds), TimeSpan.FromSeconds(settings.PollSeconds));
        foreach (var folder in watched)
        {
            try
            {
                var watcher = new FileSystemWatcher(folder)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
                watcher.Created += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
                watcher.Deleted += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
                watcher.Renamed += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
                watcher.EnableRaisingEvents = true;
                _events.Add(watcher);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of inotify instances, or a file system without events: the poll still finds the change.
                Log.WatchFailed(logger, folder, ex);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _events.ForEach(w => w.Dispose());
        _events.Clear();
        _debounce?.Dispose();
        _poll?.Dispose();
    }

    private void Reload()
    {
        try
        {
            registry.Reload(retryRejected: false);
        }
        catch (Exception ex)
        {
            // A timer callback must not throw; the next event or poll tries again.
            Log.WatchFailed(logger, "(reload)", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RouterWatchFailed, Level = LogLevel.Warning, Message = "Watching router folder {Folder} failed; polling continues.")]
        public static partial void WatchFailed(ILogger logger, string folder, Exception exception);
    }
}
