using System.Security.Cryptography;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Policies;

/// <summary>
/// The tenant policies of one folder, looked up by API key hash. Reloads on change; a file that fails validation
/// is rejected as a whole, its tenant keeps the last good policy, and the rejection stays visible until fixed. Files
/// that claim the same tenant id or key hash are settled by <see cref="PolicyClaims"/>, at start-up and on reload alike.
/// </summary>
public sealed partial class PolicyDirectory : ITenantDirectory, IDisposable
{
    private readonly PolicyDirectoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, PolicyFileState> _files = new(StringComparer.Ordinal);
    private PolicySnapshot _snapshot = PolicySnapshot.Empty;
    private PolicyDirectoryWatcher? _watcher;
    private long _rejectedTotal;

    private PolicyDirectory(PolicyDirectoryOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string FullPath => Path.GetFullPath(_options.Directory);

    public IReadOnlyCollection<TenantPolicy> Tenants => Volatile.Read(ref _snapshot).ById.Values;

    public IReadOnlyList<PolicyRejection> Rejections => Volatile.Read(ref _snapshot).Rejections;

    /// <summary>Files refused since start-up, for the rejection counter.</summary>
    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);

    public event Action<PolicyReloadResult>? Reloaded;

    /// <summary>Loads the folder; throws <see cref="PolicyValidationException"/> listing every problem when any file is bad.</summary>
    public static PolicyDirectory Load(PolicyDirectoryOptions options, TimeProvider time, ILogger<PolicyDirectory> logger)
    {
        var directory = new PolicyDirectory(options, time, logger);
        if (!System.IO.Directory.Exists(directory.FullPath))
        {
            throw new PolicyValidationException([new PolicyError(directory.FullPath, 0, 0, "The policy folder does not exist.")]);
        }

        directory.Reload();
        // A file wrong on its own stops start-up; a clash between files does not: PolicyClaims settles it the same
        // way a reload does, the losers show in Rejections (and /readyz), and new replicas do not crash-loop.
        var broken = directory._files.Values.SelectMany(f => f.OwnErrors).ToList();
        if (broken.Count > 0)
        {
            throw new PolicyValidationException(broken);
        }

        if (directory.Tenants.Count == 0)
        {
            throw new PolicyValidationException([new PolicyError(directory.FullPath, 0, 0, "The policy folder holds no *.yaml policy.")]);
        }

        return directory;
    }

    public TenantPolicy? FindByApiKey(string apiKey) =>
        ApiKeyHash.Find(Volatile.Read(ref _snapshot).ByKeyHash, apiKey);

    public TenantPolicy? FindById(string tenantId) => Volatile.Read(ref _snapshot).ById.GetValueOrDefault(tenantId);

    /// <summary>Watches the folder for changes (events plus polling) until disposed.</summary>
    public void StartWatching()
    {
        lock (_reloadLock)
        {
            _watcher ??= new PolicyDirectoryWatcher(FullPath, _options, _time, () => Reload(), ex => Log.WatcherFailed(_logger, FullPath, ex));
        }
    }

    /// <summary>Re-reads every file whose content changed; safe to call from any thread.</summary>
    public PolicyReloadResult Reload()
    {
        lock (_reloadLock)
        {
            var result = ReloadLocked();
            if (result.Changed)
            {
                Reloaded?.Invoke(result);
            }

            return result;
        }
    }

    public void Dispose() => _watcher?.Dispose();

    private PolicyReloadResult ReloadLocked()
    {
        var present = ReadPolicyFiles();
        if (present.Count == 0 && _files.Count > 0)
        {
            // An unmounted volume or a ConfigMap mid-swap looks like an empty folder; dropping every tenant on
            // that would lock everyone out, so an empty folder never replaces a non-empty one.
            Log.FolderEmpty(_logger, FullPath);
            return new PolicyReloadResult([], [], []);
        }

        var removed = _files.Keys.Where(path => !present.ContainsKey(path)).ToList();
        foreach (var path in removed)
        {
            _files.Remove(path);
            Log.PolicyRemoved(_logger, path);
        }

        var changed = present.Where(p => !_files.TryGetValue(p.Key, out var state) || state.ContentHash != p.Value.Hash)
            .Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        if (changed.Count == 0 && removed.Count == 0)
        {
            return new PolicyReloadResult([], [], []);
        }

        foreach (var path in changed)
        {
            var (hash, text) = present[path];
            var parse = PolicyYamlReader.Parse(path, text);
            var own = parse.Parsed is { } parsed ? PolicySetRules.CheckOwn(parsed, _options) : [.. parse.Errors];
            var previous = _files.GetValueOrDefault(path);
            _files[path] = new PolicyFileState(hash, own.Count == 0 ? parse.Parsed : null, own, previous?.Accepted, previous?.Rejection);
        }

        var result = Settle(changed);
        result = result with { Removed = removed };
        Volatile.Write(ref _snapshot, PolicySnapshot.From(_files.Values));
        return result;
    }

    /// <summary>
    /// Decides every file afresh from the folder's content (<see cref="PolicyClaims"/>), so a reload ends where a
    /// start-up with the same files would. A file broken on its own keeps its last good policy, as a claimant like
    /// any other; a file that loses a clash holds nothing.
    /// </summary>
    private PolicyReloadResult Settle(HashSet<string> changed)
    {
        var claimants = _files.Values.Select(f => f.Current ?? (f.OwnErrors.Count > 0 ? f.Accepted : null)).OfType<ParsedPolicy>();
        var (winners, losers) = PolicyClaims.Settle(claimants);
        var accepted = new List<string>();
        var rejected = new List<PolicyRejection>();
        foreach (var (path, state) in _files.ToList())
        {
            var candidate = state.Current ?? (state.OwnErrors.Count > 0 ? state.Accepted : null);
            var holds = candidate is not null && winners.Contains(path) ? candidate : null;
            List<PolicyError> errors = [.. state.OwnErrors, .. losers.GetValueOrDefault(path) ?? []];
            var rejection = errors.Count == 0 ? null
                : state.Rejection is { } before && before.Errors.SequenceEqual(errors) ? before
                : new PolicyRejection(path, errors, _time.GetUtcNow(), holds?.Policy.Id);
            _files[path] = state with { Accepted = holds, Rejection = rejection };
            if (holds is not null && holds == state.Current && (changed.Contains(path) || !ReferenceEquals(holds, state.Accepted)))
            {
                accepted.Add(path);
                Log.PolicyAccepted(_logger, path, holds.Policy.Id);
            }

            if (rejection is not null && (changed.Contains(path) || !ReferenceEquals(rejection, state.Rejection)))
            {
                rejected.Add(rejection);
                Interlocked.Increment(ref _rejectedTotal);
                TenantMetrics.PolicyRejections.Add(1);
                Log.PolicyRejected(_logger, path, errors.Count, string.Join("; ", errors));
            }
        }

        accepted.Sort(StringComparer.Ordinal);
        rejected.Sort((a, b) => string.CompareOrdinal(a.File, b.File));
        return new PolicyReloadResult(accepted, rejected, []);
    }

    private Dictionary<string, (string Hash, string Text)> ReadPolicyFiles()
    {
        var files = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(FullPath))
        {
            return files;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(FullPath))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || !(name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal)))
            {
                continue;
            }

            try
            {
                // Through a ConfigMap's symlinks this reads whatever '..data' points at now.
                var bytes = File.ReadAllBytes(path);
                files[path] = (Convert.ToHexStringLower(SHA256.HashData(bytes)), System.Text.Encoding.UTF8.GetString(bytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Mid-write or mid-swap: keep what we have for this file and look again on the next event or poll.
                if (_files.TryGetValue(path, out var state))
                {
                    files[path] = (state.ContentHash, "");
                }

                Log.PolicyUnreadable(_logger, path, ex.Message);
            }
        }

        return files;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.PolicyAccepted, LogLevel.Information, "Tenant policy {File} accepted for tenant '{TenantId}'.")]
        public static partial void PolicyAccepted(ILogger logger, string file, string tenantId);

        [LoggerMessage(LogEvents.PolicyRejected, LogLevel.Error, "Tenant policy {File} rejected with {ErrorCount} error(s); the last good policy stays active: {Errors}")]
        public static partial void PolicyRejected(ILogger logger, string file, int errorCount, string errors);

        [LoggerMessage(LogEvents.PolicyRemoved, LogLevel.Warning, "Tenant policy {File} was removed; its tenant no longer authenticates.")]
        public static partial void PolicyRemoved(ILogger logger, string file);

        [LoggerMessage(LogEvents.PolicyUnreadable, LogLevel.Warning, "Tenant policy {File} could not be read yet: {Reason}")]
        public static partial void PolicyUnreadable(ILogger logger, string file, string reason);

        [LoggerMessage(LogEvents.PolicyFolderEmpty, LogLevel.Warning, "Policy folder {Folder} is empty or missing; keeping the current tenants.")]
        public static partial void FolderEmpty(ILogger logger, string folder);

        [LoggerMessage(LogEvents.PolicyWatchFailed, LogLevel.Warning, "Watching policy folder {Folder} failed; polling continues.")]
        public static partial void WatcherFailed(ILogger logger, string folder, Exception exception);
    }
}
