using ExpertRouter.Testing;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// The semantic index contract on a server without vector sets: the shared test server (CI's Redis 7, else Garnet
/// without vector sets, else a redis-server child), each replica scanning its own copy caught up from Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SharedLogSemanticIndexTests(CacheRedis redis) : SemanticIndexContract
{
    protected override ISemanticIndex Create(int maxEntries) => Create(maxEntries, TimeSpan.Zero);

    private SharedLogSemanticIndex Create(int maxEntries, TimeSpan catchUp) =>
        new(redis.Connection, Time, new InProcessSemanticIndex(Time, maxEntries), maxEntries, catchUp);

    [RedisFact]
    public Task Find_NearDuplicate_ReturnsItsKey() => CheckNearDuplicateReturnsItsKey();

    [RedisFact]
    public Task Find_OtherTenantOrScope_NeverMatches() => CheckOtherTenantOrScopeNeverMatches();

    [RedisFact]
    public Task Find_NegationPair_DoesNotMatchEvenAboveThreshold() => CheckNegationPairDoesNotMatch();

    [RedisFact]
    public Task Find_ChangedNumberPair_DoesNotMatchEvenAboveThreshold() => CheckChangedNumberPairDoesNotMatch();

    [RedisFact]
    public Task Find_CloserNeighbourWithOtherFacts_ReturnsTheOneThatAgrees() => CheckGuardSkipsCloserNeighbourWithOtherFacts();

    [RedisFact]
    public Task Find_BelowThreshold_DoesNotMatch() => CheckBelowThresholdDoesNotMatch();

    [RedisFact]
    public Task Find_ExpiredEntry_DoesNotMatch() => CheckExpiredEntryDoesNotMatch();

    [RedisFact]
    public Task Add_BeyondMaxEntries_PrunesExpiredThenOldest() => CheckBeyondMaxEntriesPrunesExpiredThenOldest();

    [RedisFact]
    public Task Add_SameKeyAgain_ReplacesTheEntry() => CheckSameKeyAgainReplacesTheEntry();

    [RedisFact]
    public Task Remove_Entry_NoLongerMatchesInItsTenantOnly() => CheckRemovedEntryNoLongerMatches();

    [RedisFact]
    public Task Find_EntryFromAnotherReplica_Matches() => CheckEntryFromOneReplicaAnswersOnAnother();

    [RedisFact]
    public async Task Find_WithinCatchUpInterval_ReadsOthersEntriesOnlyOnceItPassed()
    {
        var writer = Create(100, TimeSpan.FromSeconds(1));
        var reader = Create(100, TimeSpan.FromSeconds(1));
        Assert.Null(await Find("t", "What is the capital of France?", index: reader));

        await Add("t", "What is the capital of France?", "france", index: writer);
        var tooSoon = await Find("t", "What is the capital of France?", index: reader);
        Time.Advance(TimeSpan.FromSeconds(1));
        var caughtUp = await Find("t", "What is the capital of France?", index: reader);

        Assert.Null(tooSoon);
        Assert.Equal("france", caughtUp?.Key);
    }

    [RedisFact]
    public async Task Find_LogLostAfterReaderPosition_ReadsTheNewLogFromTheStart()
    {
        var writer = Create(100);
        var reader = Create(100);
        await Add("t", "alpha beta gamma", "a", index: writer);
        await Add("t", "delta epsilon zeta", "b", index: writer);
        Assert.Equal("b", (await Find("t", "delta epsilon zeta", threshold: 0.99, index: reader))?.Key);

        // As if Redis restarted empty: the sequence starts again below the reader's position.
        var db = redis.Connection.GetDatabase();
        await db.KeyDeleteAsync([$"er:{{{Tenant("t")}}}:sem:s:log", $"er:{{{Tenant("t")}}}:sem:s:seq"]);
        await Add("t", "What is the capital of France?", "france", index: Create(100));

        Assert.Equal("france", (await Find("t", "What is the capital of France?", index: reader))?.Key);
    }
}
