using System.Collections.Concurrent;

namespace ExpertRouter.Simulation;

/// <summary>
/// Requests received per model, per endpoint; counted before any fault is applied. Generation requests count as chat
/// whichever API carried them (chat completions, Responses, Messages).
/// </summary>
public sealed class SimulatorRequestCounter
{
    private readonly ConcurrentDictionary<string, Counter> chat = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> embeddings = new(StringComparer.Ordinal);

    public long ChatRequests(string model) => chat.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long EmbeddingRequests(string model) => embeddings.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long TotalChatRequests => chat.Values.Sum(counter => Volatile.Read(ref counter.Value));

    internal void CountChat(string model) => Interlocked.Increment(ref chat.GetOrAdd(model, static _ => new Counter()).Value);

    internal void CountEmbedding(string model) => Interlocked.Increment(ref embeddings.GetOrAdd(model, static _ => new Counter()).Value);

    private sealed class Counter
    {
        public long Value;
    }
}
