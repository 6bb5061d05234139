namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// Where quotas are counted: in process, or in Redis shared by every replica (each take one atomic script).
/// Implementations never throw for a store that is down: they count in process instead.
/// </summary>
internal interface ICapacityStore
{
    /// <summary><c>in-process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Takes a slot for a call about to be sent, or refuses it; <paramref name="lease"/> bounds a place in flight a
    /// crashed replica never gives back; <paramref name="afterProviderWait"/> lets a retry through the provider's block.
    /// </summary>
    ValueTask<CapacityGrant> TakeAsync(ExpertLoad load, int estimatedTokens, TimeSpan lease, long nowMs, bool afterProviderWait);

    /// <summary>The call ended: its tokens become <paramref name="usedTokens"/> and its place in flight is freed.</summary>
    ValueTask SettleAsync(CapacitySlot slot, long usedTokens, long nowMs);

    /// <summary>The call was never sent: the request, its tokens and its place in flight are given back.</summary>
    ValueTask ReleaseAsync(CapacitySlot slot, long nowMs);

    /// <summary>Tells the other replicas that the expert's provider asked to wait <paramref name="duration"/> (best effort).</summary>
    void ShareBlock(ExpertLoad load, TimeSpan duration);
}

/// <summary>Quotas counted by this replica alone (no Redis configured).</summary>
internal sealed class InProcessCapacityStore : ICapacityStore
{
    public string Name => "in-process";

    public ValueTask<CapacityGrant> TakeAsync(ExpertLoad load, int estimatedTokens, TimeSpan lease, long nowMs, bool afterProviderWait) =>
        new(load.TakeLocal(estimatedTokens, nowMs, afterProviderWait));

    public ValueTask SettleAsync(CapacitySlot slot, long usedTokens, long nowMs)
    {
        slot.Load.SettleLocal(slot, usedTokens, nowMs);
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(CapacitySlot slot, long nowMs)
    {
        slot.Load.ReleaseLocal(slot, nowMs);
        return ValueTask.CompletedTask;
    }

    public void ShareBlock(ExpertLoad load, TimeSpan duration)
    {
        // Nothing to share: the load already holds the block.
    }
}
