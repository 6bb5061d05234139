using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class InProcessSemanticIndexTests : SemanticIndexContract
{
    protected override ISemanticIndex Create(int maxEntries) => new InProcessSemanticIndex(Time, maxEntries);

    [Fact]
    public Task Find_NearDuplicate_ReturnsItsKey() => CheckNearDuplicateReturnsItsKey();

    [Fact]
    public Task Find_OtherTenantOrScope_NeverMatches() => CheckOtherTenantOrScopeNeverMatches();

    [Fact]
    public Task Find_NegationPair_DoesNotMatchEvenAboveThreshold() => CheckNegationPairDoesNotMatch();

    [Fact]
    public Task Find_ChangedNumberPair_DoesNotMatchEvenAboveThreshold() => CheckChangedNumberPairDoesNotMatch();

    [Fact]
    public Task Find_CloserNeighbourWithOtherFacts_ReturnsTheOneThatAgrees() => CheckGuardSkipsCloserNeighbourWithOtherFacts();

    [Fact]
    public Task Find_BelowThreshold_DoesNotMatch() => CheckBelowThresholdDoesNotMatch();

    [Fact]
    public Task Find_ExpiredEntry_DoesNotMatch() => CheckExpiredEntryDoesNotMatch();

    [Fact]
    public Task Add_BeyondMaxEntries_PrunesExpiredThenOldest() => CheckBeyondMaxEntriesPrunesExpiredThenOldest();

    [Fact]
    public Task Add_SameKeyAgain_ReplacesTheEntry() => CheckSameKeyAgainReplacesTheEntry();

    [Fact]
    public Task Remove_Entry_NoLongerMatchesInItsTenantOnly() => CheckRemovedEntryNoLongerMatches();

    [Fact]
    public async Task Add_SameKeyAgain_CountsOnce()
    {
        var index = new InProcessSemanticIndex(Time, 10);
        var facts = PromptAgreement.Summarise("q");
        await index.AddAsync(new SemanticEntry("t", "s", Embed("alpha"), facts, "k", Time.GetUtcNow().AddMinutes(1)), CancellationToken.None);
        await index.AddAsync(new SemanticEntry("t", "s", Embed("alpha"), facts, "k", Time.GetUtcNow().AddMinutes(1)), CancellationToken.None);

        Assert.Equal(1, index.Count);
    }
}
