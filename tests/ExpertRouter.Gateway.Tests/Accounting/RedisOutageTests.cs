using ExpertRouter.Gateway.Accounting;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Accounting;

/// <summary>Which Redis failures send accounting in-process (journalled, reconciled later) instead of failing the call.</summary>
public sealed class RedisOutageTests
{
    [Theory]
    [InlineData("CLUSTERDOWN The cluster is down")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot")]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    public void IsOutage_ClusterOrNodeUnavailableReply_IsAnOutage(string reply) =>
        Assert.True(ResilientTenantAccounting.IsOutage(new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, reply)));

    [Theory]
    [InlineData("ERR Error running script (call to f_0123): @user_script:1: Script attempted to access a non local key")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    [InlineData("NOSCRIPT No matching script. Please use EVAL.")]
    public void IsOutage_ScriptOrDataError_IsNotAnOutage(string reply) =>
        Assert.False(ResilientTenantAccounting.IsOutage(new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, reply)));

    [Theory]
    [InlineData(RedisErrorKind.ClusterDown)]
    [InlineData(RedisErrorKind.TryAgain)]
    [InlineData(RedisErrorKind.Loading)]
    [InlineData(RedisErrorKind.MasterDown)]
    public void IsOutage_ClassifiedUnavailableKind_IsAnOutage(RedisErrorKind kind) =>
        Assert.True(ResilientTenantAccounting.IsOutage(new RedisServerException(kind, CommandFlags.None, "refused")));

    [Fact]
    public void IsOutage_ConnectionAndTimeoutFailures_AreOutages()
    {
        Assert.True(ResilientTenantAccounting.IsOutage(new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "socket closed", null, CommandStatus.Sent)));
        Assert.True(ResilientTenantAccounting.IsOutage(new RedisTimeoutException(CommandFlags.None, "timeout", CommandStatus.Sent)));
        Assert.False(ResilientTenantAccounting.IsOutage(new InvalidOperationException("a bug, not an outage")));
    }
}
