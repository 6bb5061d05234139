using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>The client-facing error of an admission outcome that only accounting knows about.</summary>
public static class AdmissionErrors
{
    /// <summary>
    /// 503 with Retry-After, not 429 <c>insufficient_quota</c>: the budget may well have room, this replica only
    /// cannot vouch for it while the state store is unusable, and a retry soon (or on another replica) may pass.
    /// </summary>
    public static ApiError SpendUnverified(string tenantId, Admission admission) => new(
        StatusCodes.Status503ServiceUnavailable,
        $"Tenant '{tenantId}' has a budget this gateway cannot check right now (its budget store is unavailable). Retry after {admission.RetryAfterSeconds} s.",
        "server_error",
        null,
        "budget_unverifiable") { RetryAfterSeconds = admission.RetryAfterSeconds };
}
