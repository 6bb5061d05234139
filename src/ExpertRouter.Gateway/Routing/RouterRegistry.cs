using System.Collections.Frozen;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// Every router, looked up by name: the built-in ones and one per router folder. A folder whose files change is
/// loaded again (<see cref="Reload"/>, called by <c>POST /admin/routers/reload</c> and the folder watch) and swapped
/// in atomically: requests already predicting finish on the old router, which is disposed after the last of them. A
/// folder that does not load, or would rename its router, is rejected with all its errors and the last good router
/// keeps serving, as a rejected policy file keeps the last good policy.
/// </summary>
public sealed partial class RouterRegistry : IAsyncDisposable
{
    private readonly FolderState[] _folders;
    private readonly RouterFolderLoader? _loader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private readonly List<Task> _disposals = [];
    private FrozenDictionary<string, RouterSlot> _slots;

    public RouterRegistry(IEnumerable<IRouter> routers)
        : this(routers, [], null, TimeProvider.System, NullLogger.Instance)
    {
    }

    public RouterRegistry(IEnumerable<IRouter> builtIn, IEnumerable<RouterFolderSource> folders, RouterFolderLoader? loader, TimeProvider time, ILogger logger)
    {
        _loader = loader;
        _time = time;
        _logger = logger;
        var slots = builtIn.ToDictionary(r => r.Name, r => new RouterSlot(r, RouterOrigin.BuiltIn, static _ => { }), StringComparer.Ordinal);
        _folders = [.. folders.Select(f => new FolderState(f))];
        var errors = new List<string>();
        foreach (var folder in _folders)
        {
            if (Load(folder, expectedName: null) is { } slot)
            {
                slots[slot.Router.Name] = slot;
                folder.Name = slot.Router.Name;
            }
            else
            {
                errors.Add($"router folder '{folder.Source.Folder}': {string.Join(" ", folder.Errors)}");
            }
        }

        StartupErrors = errors;
        _slots = slots.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Folders that did not load at start-up, each with its errors: the gateway refuses to start with any.</summary>
    public IReadOnlyList<string> StartupErrors { get; }

    /// <summary>Router names; a reload never adds or removes one.</summary>
    public IReadOnlyCollection<string> Names => Volatile.Read(ref _slots).Keys;

    /// <summary>The router serving <paramref name="name"/> now, unleased: for a quick look, not for a prediction.</summary>
    public bool TryGet(string name, out IRouter router)
    {
        var found = Volatile.Read(ref _slots).TryGetValue(name, out var slot);
        router = slot?.Router!;
        return found;
    }

    /// <summary>Prompts the router serving <paramref name="name"/> learned each expert from; empty when unknown or unrecorded.</summary>
    public IReadOnlyDictionary<string, int> LabelsOf(string name) =>
        Volatile.Read(ref _slots).TryGetValue(name, out var slot) ? slot.Origin.Labels : RouterOrigin.BuiltIn.Labels;

    /// <summary>The router serving <paramref name="name"/>, held until the lease is disposed.</summary>
    public bool TryAcquire(string name, out RouterLease lease)
    {
        while (true)
        {
            if (!Volatile.Read(ref _slots).TryGetValue(name, out var slot))
            {
                lease = default;
                return false;
            }

            // A slot retired between the lookup and here refuses; the next lookup finds its successor.
            if (slot.TryAcquire())
            {
                lease = new RouterLease(slot);
                return true;
            }
        }
    }

    /// <summary>Every router with its origin, and the errors of any folder whose last change was rejected.</summary>
    public IReadOnlyList<RouterState> States()
    {
        var slots = Volatile.Read(ref _slots);
        return [.. slots.Values.OrderBy(s => s.Router.Name, StringComparer.Ordinal).Select(s =>
        {
            var folder = _folders.FirstOrDefault(f => f.Name == s.Router.Name);
            return new RouterState(s.Router.Name, s.Origin.Folder is null ? "built-in" : "folder", s.Origin.Version, s.Origin.Folder,
                s.Origin.Folder is null ? null : s.Origin.LoadedAt, folder?.Errors ?? [], folder?.RejectedAt);
        })];
    }

    /// <summary>
    /// Loads every router folder whose files changed since it was last read (and, with <paramref name="retryRejected"/>,
    /// every folder whose last change was rejected), swapping in the ones that load.
    /// </summary>
    public RouterReloadResult Reload(bool retryRejected = true)
    {
        var loaded = new List<RouterState>();
        var unchanged = new List<string>();
        var rejected = new List<RouterRejection>();
        lock (_reloading)
        {
            foreach (var folder in _folders)
            {
                var stamp = RouterFolders.Stamp(folder.Source.Folder);
                if ((stamp is not null && stamp == folder.Stamp) || (!retryRejected && folder.RejectedAt is not null && stamp == folder.RejectedStamp))
                {
                    unchanged.Add(folder.Source.Folder);
                    continue;
                }

                if (Load(folder, folder.Name) is not { } slot)
                {
                    rejected.Add(new RouterRejection(folder.Source.Folder, folder.Name, folder.Errors, folder.RejectedAt!.Value));
                    continue;
                }

                Swap(slot);
                loaded.Add(new RouterState(slot.Router.Name, "folder", slot.Origin.Version, slot.Origin.Folder, slot.Origin.LoadedAt, [], null));
            }
        }

        return new RouterReloadResult(loaded, unchanged, rejected);
    }

    /// <summary>At shutdown: retires every folder router and waits (bounded) for those no request holds to be disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var slot in Volatile.Read(ref _slots).Values.Where(s => s.Origin.Folder is not null))
        {
            slot.Retire();
        }

        Task[] pending;
        lock (_disposals)
        {
            pending = [.. _disposals];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Swap(RouterSlot slot)
    {
        var name = slot.Router.Name;
        var slots = Volatile.Read(ref _slots);
        var next = slots.ToDictionary(StringComparer.Ordinal);
        slots.TryGetValue(name, out var old);
        next[name] = slot;
        Volatile.Write(ref _slots, next.ToFrozenDictionary(StringComparer.Ordinal));
        old?.Retire();
        Log.Swapped(_logger, name, old?.Origin.Version ?? "none", slot.Origin.Version ?? "none", slot.Origin.Folder ?? "");
    }

    /// <summary>A slot for the folder's current files, or null with the folder's errors recorded.</summary>
    private RouterSlot? Load(FolderState folder, string? expectedName)
    {
        var path = folder.Source.Folder;
        var stamp = RouterFolders.Stamp(path);
        IRouter? router = null;
        string? version = null;
        IReadOnlyList<string> errors;
        try
        {
            if (stamp is null)
            {
                errors = [$"the folder '{path}' does not exist."];
            }
            else if (RouterFolders.Preflight(path) is { Count: > 0 } preflight)
            {
                errors = preflight;
            }
            else
            {
                router = (_loader ?? throw new InvalidOperationException("No router folder loader is registered.")).Invoke(path, folder.Source.Serving);
                errors = RouterFolders.Check(router, expectedName);
                version = RouterFolders.Version(path);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything a bad folder throws (missing files, a manifest with errors, a graph ONNX Runtime refuses) rejects it.
            errors = [ex.Message];
        }

        if (errors.Count > 0)
        {
            Dispose(router);
            (folder.Errors, folder.RejectedAt, folder.RejectedStamp) = (errors, _time.GetUtcNow(), stamp);
            Log.Rejected(_logger, path, string.Join(" ", errors));
            return null;
        }

        (folder.Errors, folder.RejectedAt, folder.RejectedStamp, folder.Stamp) = ([], null, null, stamp);
        return new RouterSlot(router!, new RouterOrigin(path, version, _time.GetUtcNow()) { Labels = RouterFolders.Labels(path) }, DisposeSlot);
    }

    private void DisposeSlot(RouterSlot slot) => Dispose(slot.Router);

    private void Dispose(IRouter? router)
    {
        if (router is IAsyncDisposable disposable)
        {
            // Off the releasing request's thread: disposing drains the router's batcher.
            var disposal = Task.Run(async () =>
            {
                try
                {
                    await disposable.DisposeAsync();
                }
                catch (Exception ex)
                {
                    Log.DisposeFailed(_logger, router.Name, ex);
                }
            });
            lock (_disposals)
            {
                _disposals.RemoveAll(t => t.IsCompleted);
                _disposals.Add(disposal);
            }
        }
        else if (router is IDisposable plain)
        {
            plain.Dispose();
        }
    }

    private sealed class FolderState(RouterFolderSource source)
    {
        public RouterFolderSource Source { get; } = source;

        public string? Name { get; set; }

        public string? Stamp { get; set; }

        public string? RejectedStamp { get; set; }

        public IReadOnlyList<string> Errors { get; set; } = [];

        public DateTimeOffset? RejectedAt { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RouterSwapped, Level = LogLevel.Information, Message = "Router {Router} swapped from version {Old} to {New} (folder {Folder}); requests in flight finish on the old one.")]
        public static partial void Swapped(ILogger logger, string router, string old, string @new, string folder);

        [LoggerMessage(EventId = LogEvents.RouterRejected, Level = LogLevel.Warning, Message = "Router folder {Folder} rejected; the last good router keeps serving: {Errors}")]
        public static partial void Rejected(ILogger logger, string folder, string errors);

        [LoggerMessage(EventId = LogEvents.RouterDisposeFailed, Level = LogLevel.Warning, Message = "Router {Router} failed to dispose after it was swapped out.")]
        public static partial void DisposeFailed(ILogger logger, string router, Exception exception);
    }
}

/// <summary>One router as <c>GET /admin/routers</c> lists it.</summary>
public sealed record RouterState(
    string Name, string Kind, string? Version, string? Folder, DateTimeOffset? LoadedAt, IReadOnlyList<string> Errors, DateTimeOffset? RejectedAt);

/// <summary>A folder whose change was rejected, with every error.</summary>
public sealed record RouterRejection(string Folder, string? Name, IReadOnlyList<string> Errors, DateTimeOffset At);

/// <summary>What one reload did: routers swapped in, folders unchanged, folders rejected.</summary>
public sealed record RouterReloadResult(IReadOnlyList<RouterState> Loaded, IReadOnlyList<string> Unchanged, IReadOnlyList<RouterRejection> Rejected);
