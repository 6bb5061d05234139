using System.Collections.Concurrent;
using System.Security.Cryptography;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Console.Access;

/// <summary>A browser's login: who it is, the hash of the key it logged in with (checked again on every request, so
/// removing the key ends the session), its CSRF token and when it ends.</summary>
public sealed record ConsoleSession(string? TenantId, string KeyHash, string CsrfToken, DateTimeOffset Expires);

/// <summary>
/// Logins of this replica. The cookie holds a random token; only its SHA-256 is kept here, so neither a lookup's
/// timing nor a memory dump gives a usable token away. Sessions end at a fixed time after login, on logout, when the
/// key they were opened with stops being valid, or when <see cref="ConsoleOptions.MaxSessions"/> newer ones push them
/// out. Behind several replicas, a load balancer keeps a browser on one (or scripts use the bearer key).
/// </summary>
public sealed class ConsoleSessions(ConsoleOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConsoleSession> _byTokenHash = new(StringComparer.Ordinal);

    public int Count => _byTokenHash.Count;

    /// <summary>Starts a session; returns the token for the cookie (shown to nobody else, stored nowhere).</summary>
    public (string Token, ConsoleSession Session) Start(string? tenantId, string keyHash)
    {
        Evict();
        var token = NewToken();
        var session = new ConsoleSession(tenantId, keyHash, NewToken(), time.GetUtcNow().AddMinutes(options.SessionMinutes));
        _byTokenHash[ApiKeyHash.Sha256Hex(token)] = session;
        return (token, session);
    }

    public ConsoleSession? Find(string token)
    {
        var hash = ApiKeyHash.Sha256Hex(token);
        if (!_byTokenHash.TryGetValue(hash, out var session))
        {
            return null;
        }

        if (session.Expires > time.GetUtcNow())
        {
            return session;
        }

        _byTokenHash.TryRemove(hash, out _);
        return null;
    }

    public void End(string token) => _byTokenHash.TryRemove(ApiKeyHash.Sha256Hex(token), out _);

    /// <summary>A random token for a cookie or a form: 32 bytes from the operating system's cryptographic generator.</summary>
    public static string NewToken()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private void Evict()
    {
        var now = time.GetUtcNow();
        foreach (var (hash, session) in _byTokenHash)
        {
            if (session.Expires <= now)
            {
                _byTokenHash.TryRemove(hash, out _);
            }
        }

        // Past the cap the sessions that end soonest go first: they are the oldest, all lasting the same time.
        var excess = _byTokenHash.Count - options.MaxSessions + 1;
        if (excess > 0)
        {
            foreach (var (hash, _) in _byTokenHash.OrderBy(p => p.Value.Expires).Take(excess).ToList())
            {
                _byTokenHash.TryRemove(hash, out _);
            }
        }
    }
}
