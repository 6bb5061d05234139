using System.Collections.Concurrent;

namespace ExpertRouter.Gateway.Caching.Stores;

/// <summary>
/// The default store: a bounded in-process map (HybridCache's L1 role) with lock-free reads. Entries expire by
/// the injected clock; when the entry or byte bound is reached, the oldest insertions go first.
/// </summary>
public sealed class InProcessResponseCacheStore(TimeProvider time, int maxEntries, long maxBytes) : IResponseCacheStore
{
    private readonly ConcurrentDictionary<(string Tenant, string Key), CachedResponse> _entries = new();
    private readonly Queue<(string Tenant, string Key)> _insertionOrder = new();
    private readonly Lock _writing = new();
    private long _bytes;

    public string Name => "in-process";

    public int Count => _entries.Count;

    public ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue((tenantId, key), out var entry))
        {
            return ValueTask.FromResult<CachedResponse?>(null);
        }

        if (entry.ExpiresAt <= time.GetUtcNow())
        {
            lock (_writing)
            {
                Remove((tenantId, key), entry);
            }

            return ValueTask.FromResult<CachedResponse?>(null);
        }

        return ValueTask.FromResult<CachedResponse?>(entry);
    }

    public ValueTask SetAsync(string tenantId, string key, CachedResponse response, CancellationToken cancellationToken)
    {
        var size = SizeOf(response);
        if (size > maxBytes)
        {
            return ValueTask.CompletedTask;
        }

        lock (_writing)
        {
            var id = (tenantId, key);
            if (_entries.TryGetValue(id, out var previous))
            {
                _bytes -= SizeOf(previous);
            }
            else
            {
                _insertionOrder.Enqueue(id);
            }

            _entries[id] = response;
            _bytes += size;
            while ((_entries.Count > maxEntries || _bytes > maxBytes) && _insertionOrder.TryDequeue(out var oldest))
            {
                if (_entries.TryGetValue(oldest, out var evicted))
                {
                    Remove(oldest, evicted);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Remove((string Tenant, string Key) id, CachedResponse entry)
    {
        // Only the entry that was looked at: a concurrent Set may already have replaced it.
        if (_entries.TryRemove(new KeyValuePair<(string, string), CachedResponse>(id, entry)))
        {
            _bytes -= SizeOf(entry);
        }
    }

    private static long SizeOf(CachedResponse entry) =>
        entry.Completion.Length + (2L * (entry.Prompt.Length + entry.Expert.Length)) + 128;
}
