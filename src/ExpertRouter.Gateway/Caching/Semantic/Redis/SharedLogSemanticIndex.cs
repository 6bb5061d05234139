using System.Collections.Concurrent;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Semantic.Redis;

/// <summary>
/// The semantic index for servers without vector sets (Redis 7, Garnet without them): every replica scans its own
/// <see cref="InProcessSemanticIndex"/>, and every entry is also appended to a per tenant and scope log in Redis
/// (a sorted set of records scored by a sequence number, appended and trimmed by one script). Before a lookup a
/// replica reads what others appended since its last position, at most once per <c>catchUpInterval</c> per scope,
/// so an entry written by replica A answers on replica B from B's next catch-up on.
/// </summary>
public sealed class SharedLogSemanticIndex : ISemanticIndex
{
    // KEYS: log, seq. ARGV: record, max entries, ttl ms. Returns the record's sequence number.
    private const string AppendScript = """
        local seq = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], seq, ARGV[1])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        return seq
        """;

    private const int ReadBatch = 1000;

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly InProcessSemanticIndex _local;
    private readonly int _maxEntriesPerScope;
    private readonly TimeSpan _catchUpInterval;
    private readonly ConcurrentDictionary<(string Tenant, string Scope), Cursor> _cursors = new();

    public SharedLogSemanticIndex(
        IConnectionMultiplexer redis, TimeProvider time, InProcessSemanticIndex local, int maxEntriesPerScope, TimeSpan catchUpInterval)
    {
        _redis = redis;
        _time = time;
        _local = local;
        _maxEntriesPerScope = maxEntriesPerScope;
        _catchUpInterval = catchUpInterval;
    }

    public string Name => "redis-shared-log";

    public async ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        await _local.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        var ttl = entry.ExpiresAt - _time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var keys = new RedisSemanticKeys(entry.TenantId, entry.Scope);
        await _redis.GetDatabase().ScriptEvaluateAsync(
            AppendScript,
            [keys.Log, keys.Sequence],
            [SemanticRecord.Encode(entry), _maxEntriesPerScope, (long)Math.Ceiling(ttl.TotalMilliseconds)]).ConfigureAwait(false);
    }

    public async ValueTask<SemanticMatch?> FindAsync(SemanticQuery query, CancellationToken cancellationToken)
    {
        await CatchUpAsync(query.TenantId, query.Scope).ConfigureAwait(false);
        return await _local.FindAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Only this replica's copy (other replicas drop theirs when they meet it). The log is append-only: this replica
    /// first reads up to its end, so the removed record lies behind its position and only a newer one brings the key back.
    /// </summary>
    public async ValueTask RemoveAsync(string tenantId, string scope, string key, CancellationToken cancellationToken)
    {
        await CatchUpAsync(tenantId, scope, force: true).ConfigureAwait(false);
        await _local.RemoveAsync(tenantId, scope, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the records appended since this replica's position into the local index.</summary>
    private async Task CatchUpAsync(string tenantId, string scope, bool force = false)
    {
        var cursor = _cursors.GetOrAdd((tenantId, scope), static _ => new Cursor());
        var now = _time.GetUtcNow();
        if (!force && !cursor.Due(now, _catchUpInterval))
        {
            return;
        }

        await cursor.Reading.WaitAsync().ConfigureAwait(false);
        try
        {
            var keys = new RedisSemanticKeys(tenantId, scope);
            var db = _redis.GetDatabase();
            // A sequence below our position means the log was lost (expired, or Redis restarted empty): read it anew.
            var sequence = (long?)await db.StringGetAsync(keys.Sequence).ConfigureAwait(false) ?? 0;
            if (sequence < cursor.Position)
            {
                cursor.Position = 0;
            }

            while (true)
            {
                var page = await db.SortedSetRangeByScoreWithScoresAsync(
                    keys.Log, cursor.Position, double.PositiveInfinity, Exclude.Start, take: ReadBatch).ConfigureAwait(false);
                foreach (var item in page)
                {
                    if (SemanticRecord.Decode(tenantId, scope, (byte[])item.Element!) is { } entry
                        && entry.ExpiresAt > now && _local.Fits(tenantId, scope, entry.Vector.Length))
                    {
                        await _local.AddAsync(entry, CancellationToken.None).ConfigureAwait(false);
                    }

                    cursor.Position = (long)item.Score;
                }

                if (page.Length < ReadBatch)
                {
                    break;
                }
            }

            cursor.ReadAt = now;
        }
        finally
        {
            cursor.Reading.Release();
        }
    }

    private sealed class Cursor
    {
        public readonly SemaphoreSlim Reading = new(1, 1);
        public long Position;
        public DateTimeOffset? ReadAt;

        public bool Due(DateTimeOffset now, TimeSpan interval) => ReadAt is not { } last || now - last >= interval;
    }
}
