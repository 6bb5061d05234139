using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Tenants;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Console.Access;

/// <summary>
/// Who a console request comes from. A bearer key (scripts) is checked on every request; a browser logs in once and
/// then carries a session cookie. The admin key opens everything; a tenant's key opens that tenant's own view only.
/// </summary>
public sealed class ConsoleAccess(IOptions<GatewayOptions> options, ITenantDirectory tenants, ConsoleSessions sessions)
{
    /// <summary>
    /// <c>__Host-</c>: browsers accept it only with Secure, Path=/ and no Domain, so no other host of the domain can
    /// set or shadow it.
    /// </summary>
    public const string SessionCookie = "__Host-er-console";

    private readonly GatewayOptions _options = options.Value;

    /// <summary>The console is served when enabled and an admin key exists to open it.</summary>
    public bool Served => _options.Console.Enabled && _options.AdminKeySha256 is not null;

    public ConsoleSessions Sessions => sessions;

    /// <summary>The viewer a key opens, and the key's hash; null for a key that opens nothing.</summary>
    public (ConsoleViewer? Viewer, string KeyHash) ForKey(string key)
    {
        var hash = ApiKeyHash.Sha256Hex(key);
        if (_options.AdminKeySha256 is { } admin && ApiKeyHash.Matches(key, admin))
        {
            return (new ConsoleViewer(null, null), hash);
        }

        return tenants.FindByApiKey(key) is { } tenant ? (new ConsoleViewer(tenant.Id, null), hash) : (null, hash);
    }

    public AccessResult Resolve(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string scheme = "Bearer ";
            var key = authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? authorization[scheme.Length..].Trim() : "";
            return ForKey(key).Viewer is { } viewer ? new AccessResult(AccessKind.Viewer, viewer) : new AccessResult(AccessKind.WrongKey, null);
        }

        if (context.Request.Cookies[SessionCookie] is not { Length: > 0 } token || sessions.Find(token) is not { } session)
        {
            return new AccessResult(AccessKind.Anonymous, null);
        }

        if (!StillValid(session))
        {
            sessions.End(token);
            return new AccessResult(AccessKind.Anonymous, null);
        }

        return new AccessResult(AccessKind.Viewer, new ConsoleViewer(session.TenantId, session));
    }

    /// <summary>A session lasts only while the key it was opened with still opens the same view.</summary>
    private bool StillValid(ConsoleSession session)
    {
        if (session.TenantId is null)
        {
            return _options.AdminKeySha256 is { } admin && SameHash(session.KeyHash, admin);
        }

        return TenantList.Find(tenants, session.TenantId) is { } policy && policy.ApiKeySha256.Any(h => SameHash(h, session.KeyHash));
    }

    private static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>A form's token against the one expected, in constant time.</summary>
    public static bool SameToken(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}

public enum AccessKind
{
    /// <summary>No key and no session: a browser is sent to the login form.</summary>
    Anonymous,

    /// <summary>A bearer key that opens nothing.</summary>
    WrongKey,

    Viewer,
}

public readonly record struct AccessResult(AccessKind Kind, ConsoleViewer? Viewer);
