using ExpertRouter.Gateway.Caching;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class SingleFlightTests
{
    private static readonly CachedResponse Answer = new() { Completion = [1, 2, 3], Expert = "e" };

    [Fact]
    public async Task Join_SecondCaller_FollowsAndGetsLeadersAnswer()
    {
        var flights = new SingleFlight();
        var leader = flights.Join("k");
        var follower = flights.Join("k");

        Assert.True(leader.IsLeader);
        Assert.False(follower.IsLeader);
        Assert.False(follower.Answer.IsCompleted);

        flights.Complete("k", Answer);

        Assert.Same(Answer, await follower.Answer);
        Assert.Equal(0, flights.InFlight);
    }

    [Fact]
    public async Task Complete_WithoutAnswer_ReleasesFollowersWithNull_AndNextCallerLeads()
    {
        var flights = new SingleFlight();
        flights.Join("k");
        var follower = flights.Join("k");

        flights.Complete("k", null);

        Assert.Null(await follower.Answer);
        Assert.True(flights.Join("k").IsLeader);
    }

    [Fact]
    public void Join_DifferentKeys_EachLeads()
    {
        var flights = new SingleFlight();

        Assert.True(flights.Join("a").IsLeader);
        Assert.True(flights.Join("b").IsLeader);
    }
}
