using System.Collections.Concurrent;
using ExpertRouter.Core.Caching;

namespace ExpertRouter.Gateway.Caching.Semantic;

/// <summary>
/// Brute-force cosine search over contiguous unit vectors, one partition per tenant and scope. A scan of 100k
/// vectors is a few milliseconds with SIMD (see the benchmark), which beats the upkeep of an approximate index at
/// the sizes one gateway holds; entries past their expiry are skipped and pruned when space is needed. A partition's
/// vectors all have the length of its first (each embedder has partitions of its own, see <see cref="SemanticProbe"/>).
/// </summary>
public sealed class InProcessSemanticIndex(TimeProvider time, int maxEntries) : ISemanticIndex
{
    private readonly ConcurrentDictionary<(string Tenant, string Scope), Partition> _partitions = new();
    private int _count;

    public string Name => "in-process";

    public int Count => Volatile.Read(ref _count);

    /// <summary>True when a vector of <paramref name="dimensions"/> may join the tenant and scope's partition.</summary>
    public bool Fits(string tenantId, string scope, int dimensions) =>
        !_partitions.TryGetValue((tenantId, scope), out var partition) || partition.Dimensions == dimensions;

    public ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        var partition = _partitions.GetOrAdd((entry.TenantId, entry.Scope), _ => new Partition(entry.Vector.Length));
        if (entry.Vector.Length != partition.Dimensions)
        {
            throw new ArgumentException($"Vectors of this partition must have {partition.Dimensions} dimensions.", nameof(entry));
        }

        var delta = partition.Add(entry, time.GetUtcNow(), () => Volatile.Read(ref _count) >= maxEntries);
        Interlocked.Add(ref _count, delta);
        return ValueTask.CompletedTask;
    }

    public ValueTask<SemanticMatch?> FindAsync(SemanticQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_partitions.TryGetValue((query.TenantId, query.Scope), out var partition) && partition.Dimensions == query.Vector.Length
            ? partition.Find(query, time.GetUtcNow())
            : null);

    public ValueTask RemoveAsync(string tenantId, string scope, string key, CancellationToken cancellationToken)
    {
        if (_partitions.TryGetValue((tenantId, scope), out var partition) && partition.Remove(key))
        {
            Interlocked.Decrement(ref _count);
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Partition(int dimensions)
    {
        public int Dimensions => dimensions;

        public bool Remove(string key)
        {
            _lock.EnterWriteLock();
            try
            {
                if (!_slotOfKey.TryGetValue(key, out var slot))
                {
                    return false;
                }

                RemoveAt(slot);
                return true;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }

        private readonly ReaderWriterLockSlim _lock = new();
        private readonly Dictionary<string, int> _slotOfKey = new(StringComparer.Ordinal);
        private float[] _vectors = new float[dimensions * 16];
        private SemanticEntry[] _entries = new SemanticEntry[16];
        private int _count;

        /// <summary>Adds or replaces the entry; returns the change in entry count.</summary>
        public int Add(SemanticEntry entry, DateTimeOffset now, Func<bool> full)
        {
            _lock.EnterWriteLock();
            try
            {
                var delta = 0;
                if (!_slotOfKey.TryGetValue(entry.Key, out var slot))
                {
                    if (full())
                    {
                        delta -= PruneExpired(now);
                        if (full() && _count > 0)
                        {
                            RemoveAt(OldestSlot());
                            delta--;
                        }
                    }

                    slot = _count++;
                    delta++;
                    Grow();
                    _slotOfKey[entry.Key] = slot;
                }

                _entries[slot] = entry;
                entry.Vector.CopyTo(_vectors.AsSpan(slot * dimensions, dimensions));
                return delta;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }

        public SemanticMatch? Find(SemanticQuery query, DateTimeOffset now)
        {
            _lock.EnterReadLock();
            try
            {
                SemanticMatch? best = null;
                var vectors = _vectors.AsSpan();
                for (var slot = 0; slot < _count; slot++)
                {
                    var similarity = VectorMath.Dot(vectors.Slice(slot * dimensions, dimensions), query.Vector);
                    if (similarity >= query.Threshold && similarity > (best?.Similarity ?? float.MinValue))
                    {
                        var entry = _entries[slot];
                        if (entry.ExpiresAt > now && entry.Facts == query.Facts)
                        {
                            best = new SemanticMatch(entry.Key, similarity);
                        }
                    }
                }

                return best;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }

        private int PruneExpired(DateTimeOffset now)
        {
            var removed = 0;
            for (var slot = _count - 1; slot >= 0; slot--)
            {
                if (_entries[slot].ExpiresAt <= now)
                {
                    RemoveAt(slot);
                    removed++;
                }
            }

            return removed;
        }

        private int OldestSlot()
        {
            var oldest = 0;
            for (var slot = 1; slot < _count; slot++)
            {
                if (_entries[slot].ExpiresAt < _entries[oldest].ExpiresAt)
                {
                    oldest = slot;
                }
            }

            return oldest;
        }

        /// <summary>Moves the last entry into the freed slot so the vectors stay contiguous.</summary>
        private void RemoveAt(int slot)
        {
            var last = --_count;
            _slotOfKey.Remove(_entries[slot].Key);
            if (slot != last)
            {
                _entries[slot] = _entries[last];
                _slotOfKey[_entries[slot].Key] = slot;
                _vectors.AsSpan(last * dimensions, dimensions).CopyTo(_vectors.AsSpan(slot * dimensions, dimensions));
            }

            _entries[last] = null!;
        }

        private void Grow()
        {
            if (_count <= _entries.Length)
            {
                return;
            }

            Array.Resize(ref _entries, _entries.Length * 2);
            Array.Resize(ref _vectors, _entries.Length * dimensions);
        }
    }
}
