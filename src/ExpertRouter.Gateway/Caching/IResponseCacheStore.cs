namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// Where cached answers live, always under a tenant: no call can read another tenant's entries. Implementations
/// honour <see cref="CachedResponse.ExpiresAt"/> against the injected <see cref="TimeProvider"/>.
/// </summary>
public interface IResponseCacheStore
{
    string Name { get; }

    ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken);

    ValueTask SetAsync(string tenantId, string key, CachedResponse response, CancellationToken cancellationToken);
}
