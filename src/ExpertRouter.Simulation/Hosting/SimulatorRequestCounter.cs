using System.Collections.Concurrent;

namespace ExpertRouter.Simulation;

/// <summary>
/// Requests received per model, per endpoint; counted before any fault is applied. Generation requests count as chat
/// whichever API carried them (chat completions, Responses, Messages); per path as well, so a caller can tell which
/// API a gateway spoke.
/// </summary>
public sealed class SimulatorRequestCounter
{
    private readonly ConcurrentDictionary<string, Counter> chat = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> embeddings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Model, string Path), Counter> paths = new();

    public long ChatRequests(string model) => chat.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    /// <summary>Generation requests for <paramref name="model"/> at <paramref name="path"/> (such as <c>/v1/responses</c>).</summary>
    public long ChatRequests(string model, string path) => paths.TryGetValue((model, path), out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long EmbeddingRequests(string model) => embeddings.TryGetValue(model, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public long TotalChatRequests => chat.Values.Sum(counter => Volatile.Read(ref counter.Value));

    internal void CountChat(string model, string path)
    {
        Interlocked.Increment(ref chat.GetOrAdd(model, static _ => new Counter()).Value);
        Interlocked.Increment(ref paths.GetOrAdd((model, path), static _ => new Counter()).Value);
    }

    internal void CountEmbedding(string model) => Interlocked.Increment(ref embeddings.GetOrAdd(model, static _ => new Counter()).Value);

    private sealed class Counter
    {
        public long Value;
    }
}
