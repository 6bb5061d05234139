namespace ExpertRouter.Gateway.Protocols.State;

/// <summary>
/// Stored Responses API responses, per tenant: a tenant reads only what it stored itself. Entries expire at their
/// <see cref="StoredResponse.ExpiresAt"/>; an expired or unknown id reads as null.
/// </summary>
public interface IResponseStateStore
{
    /// <summary>in-process or redis.</summary>
    string Name { get; }

    ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken);

    ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken);
}
