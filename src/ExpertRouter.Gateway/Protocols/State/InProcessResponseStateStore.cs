namespace ExpertRouter.Gateway.Protocols.State;

/// <summary>
/// Stored responses in this process, keyed by (tenant, response id), bounded to
/// <see cref="ResponseStateOptions.MaxEntries"/>. Entries all live the same time, so the oldest is the one closest to
/// expiry: eviction takes it first, and a queue in save order finds it without a scan.
/// </summary>
public sealed class InProcessResponseStateStore(TimeProvider time, ResponseStateOptions options) : IResponseStateStore
{
    private readonly Dictionary<(string Tenant, string Id), StoredResponse> entries = [];
    private readonly Queue<(string Tenant, string Id, DateTimeOffset ExpiresAt)> order = new();
    private readonly Lock gate = new();

    public string Name => "in-process";

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    public ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var found = entries.TryGetValue((tenantId, responseId), out var entry) && entry.ExpiresAt > time.GetUtcNow();
            return ValueTask.FromResult(found ? entry : null);
        }
    }

    public ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = time.GetUtcNow();
        if (response.ExpiresAt <= now)
        {
            return ValueTask.CompletedTask;
        }

        lock (gate)
        {
            EvictExpired(now);
            while (entries.Count >= options.MaxEntries && order.TryDequeue(out var oldest))
            {
                Remove(oldest);
            }

            entries[(tenantId, response.ResponseId)] = response;
            order.Enqueue((tenantId, response.ResponseId, response.ExpiresAt));
        }

        return ValueTask.CompletedTask;
    }

    private void EvictExpired(DateTimeOffset now)
    {
        while (order.TryPeek(out var head) && head.ExpiresAt <= now)
        {
            Remove(order.Dequeue());
        }
    }

    /// <summary>Removes the entry a queue item stands for, unless a later save replaced it (then a later item stands for it).</summary>
    private void Remove((string Tenant, string Id, DateTimeOffset ExpiresAt) item)
    {
        if (entries.TryGetValue((item.Tenant, item.Id), out var entry) && entry.ExpiresAt == item.ExpiresAt)
        {
            entries.Remove((item.Tenant, item.Id));
        }
    }
}
