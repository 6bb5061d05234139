using System.Collections.Concurrent;

namespace ExpertRouter.Simulation;

/// <summary>
/// Requests received per model, per endpoint; counted before any fault is applied. Generation requests count as chat
/// whichever API carried them (chat completions, Responses, Messages); per path as well, so a caller can tell which
/// API a gateway spoke. Chat requests are also counted per fixed UTC minute (by arrival), so a load test can check a
/// gateway never sent an expert more than its per-minute quota.
/// </summary>
public sealed class SimulatorRequestCounter
{
    private readonly ConcurrentDictionary<string, Counter> chat = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> embeddings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Model, long Minute), Counter> chatByMinute = new();
    private readonly ConcurrentDictionary<(string Model, string Path), Counter> paths = new();

    public long ChatRequests(string model) => chat.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    /// <summary>Generation requests for <paramref name="model"/> at <paramref name="path"/> (such as <c>/v1/responses</c>).</summary>
    public long ChatRequests(string model, string path) => paths.TryGetValue((model, path), out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long EmbeddingRequests(string model) => embeddings.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long TotalChatRequests => chat.Values.Sum(counter => Volatile.Read(ref counter.Value));

    /// <summary>Chat requests per model, then per UTC minute (minutes since the Unix epoch), as counted so far.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<long, long>> ChatRequestsByMinute() =>
        chatByMinute.GroupBy(pair => pair.Key.Model, StringComparer.Ordinal).ToDictionary(
            group => group.Key,
            group => (IReadOnlyDictionary<long, long>)group.ToDictionary(pair => pair.Key.Minute, pair => Volatile.Read(ref pair.Value.Value)),
            StringComparer.Ordinal);

    /// <summary>Every model with chat or embeddings requests, and its counts.</summary>
    public IReadOnlyDictionary<string, long> ChatTotals() => chat.ToDictionary(pair => pair.Key, pair => Volatile.Read(ref pair.Value.Value), StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> EmbeddingTotals() => embeddings.ToDictionary(pair => pair.Key, pair => Volatile.Read(ref pair.Value.Value), StringComparer.Ordinal);

    internal void CountChat(string model, string path, DateTimeOffset at)
    {
        Interlocked.Increment(ref chat.GetOrAdd(model, static _ => new Counter()).Value);
        Interlocked.Increment(ref paths.GetOrAdd((model, path), static _ => new Counter()).Value);
        Interlocked.Increment(ref chatByMinute.GetOrAdd((model, at.ToUnixTimeMilliseconds() / 60_000), static _ => new Counter()).Value);
    }

    internal void CountEmbedding(string model) => Interlocked.Increment(ref embeddings.GetOrAdd(model, static _ => new Counter()).Value);

    private sealed class Counter
    {
        public long Value;
    }
}
