using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// One loaded router and who is using it. The registry holds one reference while the slot serves; each request that
/// predicts with it holds another (<see cref="RouterLease"/>). A swapped-out slot is retired: it takes no new leases,
/// and the router is disposed when the last request in flight lets it go.
/// </summary>
internal sealed class RouterSlot(IRouter router, RouterOrigin origin, Action<RouterSlot> dispose)
{
    private int _references = 1;
    private int _retired;

    public IRouter Router { get; } = router;

    public RouterOrigin Origin { get; } = origin;

    /// <summary>True once the router has been disposed (retired and no longer in use).</summary>
    public bool Disposed => Volatile.Read(ref _references) == 0;

    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            dispose(this);
        }
    }

    /// <summary>Gives up the registry's own reference, once.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }
    }
}

/// <summary>Where a router came from: built into the gateway, or a router folder at a version.</summary>
public sealed record RouterOrigin(string? Folder, string? Version, DateTimeOffset LoadedAt)
{
    public static readonly RouterOrigin BuiltIn = new(null, null, DateTimeOffset.MinValue);

    /// <summary>Prompts the router learned each expert from, as its folder records them (<c>experts[].labels</c>); empty when it records none.</summary>
    public IReadOnlyDictionary<string, int> Labels { get; init; } = new Dictionary<string, int>();
}

/// <summary>A request's hold on a router: the router stays undisposed until the lease is disposed.</summary>
public readonly struct RouterLease : IDisposable
{
    private readonly RouterSlot? _slot;

    internal RouterLease(RouterSlot slot) => _slot = slot;

    public IRouter Router => _slot!.Router;

    /// <summary>The router folder's version; null for a built-in router.</summary>
    public string? Version => _slot!.Origin.Version;

    public void Dispose() => _slot?.Release();
}
