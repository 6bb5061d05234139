using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>
/// Calls back when the policy folder may have changed. Any event in the folder counts, not only <c>*.yaml</c> ones:
/// a Kubernetes ConfigMap update swaps the <c>..data</c> symlink and never touches the visible file names. Polling
/// backs up the events, which overlay and network file systems do not always deliver.
/// </summary>
internal sealed class PolicyDirectoryWatcher : IDisposable
{
    private readonly FileSystemWatcher? _events;
    private readonly ITimer _poll;
    private readonly ITimer _debounce;
    private readonly TimeSpan _debounceDelay;

    public PolicyDirectoryWatcher(string folder, PolicyDirectoryOptions options, TimeProvider time, Action reload, Action<Exception> onError)
    {
        _debounceDelay = options.Debounce;
        _debounce = time.CreateTimer(_ => Run(reload, onError), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => Run(reload, onError), null, options.PollInterval, options.PollInterval);
        try
        {
            _events = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _events.Changed += (_, _) => Schedule();
            _events.Created += (_, _) => Schedule();
            _events.Deleted += (_, _) => Schedule();
            _events.Renamed += (_, _) => Schedule();
            _events.Error += (_, e) => onError(e.GetException());
            _events.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, or a file system without events: polling alone still converges.
            onError(ex);
            _events?.Dispose();
            _events = null;
        }
    }

    public void Dispose()
    {
        _events?.Dispose();
        _poll.Dispose();
        _debounce.Dispose();
    }

    private void Schedule() => _debounce.Change(_debounceDelay, Timeout.InfiniteTimeSpan);

    private static void Run(Action reload, Action<Exception> onError)
    {
        try
        {
            reload();
        }
        catch (Exception ex)
        {
            // A timer callback must not throw; the next event or poll tries again.
            onError(ex);
        }
    }
}
