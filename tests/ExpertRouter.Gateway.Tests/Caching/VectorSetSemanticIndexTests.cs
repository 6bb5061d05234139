using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>The semantic index contract on vector sets (Garnet in process with vector sets on).</summary>
public sealed class VectorSetSemanticIndexTests : SemanticIndexContract
{
    protected override ISemanticIndex Create(int maxEntries) => new VectorSetSemanticIndex(VectorSetRedis.Connection, Time, maxEntries);

    private async Task<long> Elements(string tenant, string scope = "s") =>
        (long)await VectorSetRedis.Connection.GetDatabase().ExecuteAsync("VCARD", (RedisKey)$"er:{{{Tenant(tenant)}}}:sem:{scope}:vset");

    [VectorSetFact]
    public Task Find_NearDuplicate_ReturnsItsKey() => CheckNearDuplicateReturnsItsKey();

    [VectorSetFact]
    public Task Find_OtherTenantOrScope_NeverMatches() => CheckOtherTenantOrScopeNeverMatches();

    [VectorSetFact]
    public Task Find_NegationPair_DoesNotMatchEvenAboveThreshold() => CheckNegationPairDoesNotMatch();

    [VectorSetFact]
    public Task Find_ChangedNumberPair_DoesNotMatchEvenAboveThreshold() => CheckChangedNumberPairDoesNotMatch();

    [VectorSetFact]
    public Task Find_CloserNeighbourWithOtherFacts_ReturnsTheOneThatAgrees() => CheckGuardSkipsCloserNeighbourWithOtherFacts();

    [VectorSetFact]
    public Task Find_BelowThreshold_DoesNotMatch() => CheckBelowThresholdDoesNotMatch();

    [VectorSetFact]
    public Task Find_ExpiredEntry_DoesNotMatch() => CheckExpiredEntryDoesNotMatch();

    [VectorSetFact]
    public Task Add_BeyondMaxEntries_PrunesExpiredThenOldest() => CheckBeyondMaxEntriesPrunesExpiredThenOldest();

    [VectorSetFact]
    public Task Add_SameKeyAgain_ReplacesTheEntry() => CheckSameKeyAgainReplacesTheEntry();

    [VectorSetFact]
    public Task Remove_Entry_NoLongerMatchesInItsTenantOnly() => CheckRemovedEntryNoLongerMatches();

    [VectorSetFact]
    public Task Find_EntryFromAnotherReplica_Matches() => CheckEntryFromOneReplicaAnswersOnAnother();

    [VectorSetFact]
    public async Task Find_ExpiredCandidate_IsRemovedFromTheVectorSet()
    {
        await Add("t", "What is the capital of France?", "france", ttl: TimeSpan.FromSeconds(30));
        await Add("t", "Write a haiku about autumn", "haiku", ttl: TimeSpan.FromMinutes(5));
        var before = await Elements("t");
        Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await Find("t", "What is the capital of France?"));
        Assert.Equal((2L, 1L), (before, await Elements("t")));
    }

    [VectorSetFact]
    public async Task Add_BeyondMaxEntries_KeepsTheVectorSetBounded()
    {
        var index = Create(maxEntries: 3);
        for (var i = 0; i < 8; i++)
        {
            await Add("t", $"prompt number {i} about topic {i * 7}", $"k{i}", ttl: TimeSpan.FromMinutes(1 + i), index: index);
        }

        Assert.Equal(3L, await Elements("t"));
    }
}
