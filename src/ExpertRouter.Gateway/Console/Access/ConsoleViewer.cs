namespace ExpertRouter.Gateway.Console.Access;

/// <summary>
/// Who is looking at the console: the operator (the admin key) or one tenant (one of its keys), and how they proved
/// it. A tenant sees only its own traffic, spend and policy; every page filters by <see cref="TenantId"/>.
/// </summary>
public sealed record ConsoleViewer(string? TenantId, ConsoleSession? Session)
{
    public bool IsAdmin => TenantId is null;

    /// <summary>True for a browser session (cookie), whose state-changing forms must carry its CSRF token.</summary>
    public bool ByCookie => Session is not null;

    public bool MaySee(string? tenantId) => IsAdmin || (tenantId is not null && tenantId == TenantId);
}
