using System.Collections.Frozen;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.Routing;

/// <summary>Every registered <see cref="IRouter"/>, looked up by name.</summary>
public sealed class RouterRegistry
{
    private readonly FrozenDictionary<string, IRouter> _routers;

    public RouterRegistry(IEnumerable<IRouter> routers)
    {
        _routers = routers.ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _routers.Keys;

    public bool TryGet(string name, out IRouter router) => _routers.TryGetValue(name, out router!);
}
