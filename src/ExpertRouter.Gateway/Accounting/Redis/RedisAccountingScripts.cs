namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// The Lua scripts that make admission and settlement atomic across replicas. Amounts are integers (nano-USD);
/// a missing key reads as zero. Reservations live in a hash (id → amount) with a sorted set of expiry times, so
/// those of a crashed gateway are swept by the next admission.
/// </summary>
internal static class RedisAccountingScripts
{
    // KEYS: reserved, resv, resv:exp, spent:d, spent:m, rl:req, rl:tok
    // ARGV: now_ms, id, amount, daily_limit(-1), monthly_limit(-1), enforce(0/1), rpm(-1), tpm(-1), est_tokens,
    //       reservation_ttl_ms, window_ttl_ms
    // Returns {outcome (0 admitted, 1 budget, 2 requests, 3 tokens), spent_day, spent_month, reserved}
    public const string Admit = """
        local now = tonumber(ARGV[1])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
        for _, id in ipairs(expired) do
          local held = redis.call('HGET', KEYS[2], id)
          if held then
            redis.call('DECRBY', KEYS[1], held)
            redis.call('HDEL', KEYS[2], id)
          end
          redis.call('ZREM', KEYS[3], id)
        end
        local reserved = tonumber(redis.call('GET', KEYS[1]) or '0')
        local day = tonumber(redis.call('GET', KEYS[4]) or '0')
        local month = tonumber(redis.call('GET', KEYS[5]) or '0')
        local rpm = tonumber(ARGV[7])
        local tpm = tonumber(ARGV[8])
        local est = tonumber(ARGV[9])
        if rpm >= 0 and tonumber(redis.call('GET', KEYS[6]) or '0') + 1 > rpm then
          return {2, day, month, reserved}
        end
        if tpm >= 0 and tonumber(redis.call('GET', KEYS[7]) or '0') + est > tpm then
          return {3, day, month, reserved}
        end
        local amount = tonumber(ARGV[3])
        if ARGV[6] == '1' then
          local daily = tonumber(ARGV[4])
          local monthly = tonumber(ARGV[5])
          if (daily >= 0 and day + reserved + amount > daily) or (monthly >= 0 and month + reserved + amount > monthly) then
            return {1, day, month, reserved}
          end
        end
        redis.call('INCRBY', KEYS[1], amount)
        redis.call('HSET', KEYS[2], ARGV[2], amount)
        redis.call('ZADD', KEYS[3], now + tonumber(ARGV[10]), ARGV[2])
        if rpm >= 0 then
          redis.call('INCR', KEYS[6])
          redis.call('PEXPIRE', KEYS[6], ARGV[11])
        end
        if tpm >= 0 then
          redis.call('INCRBY', KEYS[7], est)
          redis.call('PEXPIRE', KEYS[7], ARGV[11])
        end
        return {0, day, month, reserved + amount}
        """;

    // KEYS: reserved, resv, resv:exp, spent:d, spent:m, ledger:day, rl:tok (of the admission's window)
    // ARGV: id ('' when none), cost, expert, prompt_tokens, completion_tokens, est_tokens, day_ttl_ms,
    //       month_ttl_ms, ledger_ttl_ms
    // Returns 1 when the reservation was still held, 0 when it had expired or was never in Redis.
    public const string Settle = """
        local held = redis.call('HGET', KEYS[2], ARGV[1])
        if held then
          redis.call('DECRBY', KEYS[1], held)
          redis.call('HDEL', KEYS[2], ARGV[1])
          redis.call('ZREM', KEYS[3], ARGV[1])
          if redis.call('EXISTS', KEYS[7]) == 1 then
            redis.call('INCRBY', KEYS[7], tonumber(ARGV[4]) + tonumber(ARGV[5]) - tonumber(ARGV[6]))
          end
        end
        local cost = tonumber(ARGV[2])
        redis.call('INCRBY', KEYS[4], cost)
        redis.call('PEXPIRE', KEYS[4], ARGV[7])
        redis.call('INCRBY', KEYS[5], cost)
        redis.call('PEXPIRE', KEYS[5], ARGV[8])
        local e = ARGV[3]
        redis.call('HINCRBY', KEYS[6], e .. '|requests', 1)
        redis.call('HINCRBY', KEYS[6], e .. '|prompt_tokens', ARGV[4])
        redis.call('HINCRBY', KEYS[6], e .. '|completion_tokens', ARGV[5])
        redis.call('HINCRBY', KEYS[6], e .. '|cost_nanos', cost)
        redis.call('PEXPIRE', KEYS[6], ARGV[9])
        if held then return 1 end
        return 0
        """;

    // KEYS: reserved, resv, resv:exp, rl:tok (of the admission's window)
    // ARGV: id, est_tokens
    public const string Release = """
        local held = redis.call('HGET', KEYS[2], ARGV[1])
        if not held then return 0 end
        redis.call('DECRBY', KEYS[1], held)
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        if redis.call('EXISTS', KEYS[4]) == 1 then
          redis.call('DECRBY', KEYS[4], ARGV[2])
        end
        return 1
        """;

    // KEYS: ledger:day
    // ARGV: expert, saved_nanos, ledger_ttl_ms
    public const string RecordCacheHit = """
        redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|cache_hits', 1)
        redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|saved_nanos', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;
}
