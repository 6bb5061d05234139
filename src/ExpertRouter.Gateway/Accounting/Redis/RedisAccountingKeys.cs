using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// Every key of a tenant is <c>er:{tenant}:...</c>: the braces are a Redis Cluster hash tag, so one tenant's keys
/// share a slot and a single Lua script may touch all of them.
/// </summary>
internal readonly struct RedisAccountingKeys(string tenantId)
{
    private readonly string _prefix = "er:{" + tenantId + "}:";

    public RedisKey Reserved => _prefix + "reserved";

    public RedisKey Reservations => _prefix + "resv";

    public RedisKey ReservationExpiry => _prefix + "resv:exp";

    public RedisKey SpentDay(DateTimeOffset at) => _prefix + "spent:d:" + BudgetPeriod.DayKey(at);

    public RedisKey SpentMonth(DateTimeOffset at) => _prefix + "spent:m:" + BudgetPeriod.MonthKey(at);

    public RedisKey Ledger(DateOnly day) => _prefix + "ledger:" + BudgetPeriod.DayKey(day);

    public RedisKey WindowRequests(long window) => _prefix + "rl:req:" + window;

    public RedisKey WindowTokens(long window) => _prefix + "rl:tok:" + window;
}
