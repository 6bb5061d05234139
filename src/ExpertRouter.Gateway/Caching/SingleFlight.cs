using System.Collections.Concurrent;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// Identical requests in flight at once make one upstream call: the first becomes the leader, the rest wait for
/// the answer it stores. A leader that ends without an answer releases its followers with null, and each then
/// asks upstream itself. Per process; replicas each lead their own.
/// </summary>
public sealed class SingleFlight
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CachedResponse?>> _flights = new(StringComparer.Ordinal);

    public int InFlight => _flights.Count;

    /// <summary>Joins the flight for <paramref name="key"/>; the caller leads when <c>IsLeader</c>.</summary>
    public (bool IsLeader, Task<CachedResponse?> Answer) Join(string key)
    {
        var mine = new TaskCompletionSource<CachedResponse?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(key, mine);
        return (ReferenceEquals(flight, mine), flight.Task);
    }

    /// <summary>Ends the leader's flight; followers get <paramref name="answer"/> (null: go upstream yourselves).</summary>
    public void Complete(string key, CachedResponse? answer)
    {
        if (_flights.TryRemove(key, out var flight))
        {
            flight.TrySetResult(answer);
        }
    }
}
