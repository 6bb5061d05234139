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

    /// <summary>Never expires: its absence means Redis lost this tenant's data (see <see cref="RedisAccountingScripts"/>).</summary>
    public RedisKey Epoch => _prefix + "epoch";

    /// <summary>Which replica gave back its recorded spend in which epoch.</summary>
    public RedisKey Contributions => _prefix + "rebuilt";

    /// <summary>Ids of reservations that expired unsettled, so their late settlement still counts once.</summary>
    public RedisKey Swept => _prefix + "resv:swept";

    /// <summary>Marks a reservation released before its admission's outcome was known, so the admission cannot land later.</summary>
    public RedisKey Gone(string reservationId) => _prefix + "gone:" + reservationId;

    /// <summary>Marks a settlement without a reservation in this epoch, so a replay of it counts once.</summary>
    public RedisKey Settled(string settlementId) => _prefix + "settled:" + settlementId;
}
