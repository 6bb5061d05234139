namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// The Lua scripts that make admission and settlement atomic across replicas. Amounts are integers (nano-USD);
/// a missing key reads as zero. Reservations live in a hash (id → amount) with a sorted set of expiry times, so
/// those of a crashed gateway are swept by the next admission (into a set of swept ids, so a late settlement still
/// counts once). Every script that changes spend first compares the tenant's epoch key with the one the replica
/// last saw: a missing or different epoch means Redis lost the tenant's data (restarted empty, flushed, failed over
/// to an empty node), and the script changes nothing and answers <see cref="Reset"/> so the replica can give back
/// what it recorded (<see cref="Rebuild"/>) before going on. A replica that has seen no epoch of the tenant yet has
/// recorded nothing to give back, so its script starts the epoch itself when there is none (one round trip).
/// </summary>
internal static class RedisAccountingScripts
{
    /// <summary>The reply code of a script that found the tenant's epoch missing or different.</summary>
    public const int Reset = 4;

    // KEYS: reserved, resv, resv:exp, spent:d, spent:m, rl:req, rl:tok, epoch, swept, gone:<id>
    // ARGV: now_ms, id, amount, daily_limit(-1), monthly_limit(-1), enforce(0/1), rpm(-1), tpm(-1), est_tokens,
    //       reservation_ttl_ms, window_ttl_ms, expected_epoch ('' when none yet), swept_ttl_ms, new_epoch
    // Returns {outcome (0 admitted, 1 budget, 2 requests, 3 tokens, 4 reset, 5 released before it was made),
    //          spent_day, spent_month, reserved, epoch}
    public const string Admit = """
        local epoch = redis.call('GET', KEYS[8])
        if not epoch and ARGV[12] == '' then
          epoch = ARGV[14]
          redis.call('SET', KEYS[8], epoch)
        elseif not epoch or (ARGV[12] ~= '' and epoch ~= ARGV[12]) then
          return {4, 0, 0, 0, epoch or ''}
        end
        if redis.call('EXISTS', KEYS[10]) == 1 then
          return {5, 0, 0, 0, epoch}
        end
        local now = tonumber(ARGV[1])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
        for _, id in ipairs(expired) do
          local held = redis.call('HGET', KEYS[2], id)
          if held then
            redis.call('DECRBY', KEYS[1], held)
            redis.call('HDEL', KEYS[2], id)
            redis.call('ZADD', KEYS[9], now, id)
          end
          redis.call('ZREM', KEYS[3], id)
        end
        if #expired > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now - tonumber(ARGV[13]))
          redis.call('PEXPIRE', KEYS[9], ARGV[13])
        end
        local reserved = tonumber(redis.call('GET', KEYS[1]) or '0')
        local day = tonumber(redis.call('GET', KEYS[4]) or '0')
        local month = tonumber(redis.call('GET', KEYS[5]) or '0')
        local rpm = tonumber(ARGV[7])
        local tpm = tonumber(ARGV[8])
        local est = tonumber(ARGV[9])
        if rpm >= 0 and tonumber(redis.call('GET', KEYS[6]) or '0') + 1 > rpm then
          return {2, day, month, reserved, epoch}
        end
        if tpm >= 0 and tonumber(redis.call('GET', KEYS[7]) or '0') + est > tpm then
          return {3, day, month, reserved, epoch}
        end
        local amount = tonumber(ARGV[3])
        if ARGV[6] == '1' then
          local daily = tonumber(ARGV[4])
          local monthly = tonumber(ARGV[5])
          if (daily >= 0 and day + reserved + amount > daily) or (monthly >= 0 and month + reserved + amount > monthly) then
            return {1, day, month, reserved, epoch}
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
        return {0, day, month, reserved + amount, epoch}
        """;

    // KEYS: reserved, resv, resv:exp, spent:d, spent:m, ledger:day, rl:tok (of the admission's window), epoch, swept,
    //       settled:<id>
    // ARGV: id, cost, expert, prompt_tokens, completion_tokens, est_tokens, day_ttl_ms, month_ttl_ms, ledger_ttl_ms,
    //       expected_epoch, reservation_epoch ('' when the reservation is not in Redis), marker_ttl_ms, new_epoch
    // Returns {0 settled a held reservation, 1 settled without one, 2 already settled (nothing done), 4 reset; epoch}.
    // Idempotent by id, so a settlement replayed after a timeout whose first attempt did land counts once: a
    // reservation of this epoch is settled while held (or once after it was swept); anything else leaves a marker.
    public const string Settle = """
        local epoch = redis.call('GET', KEYS[8])
        if not epoch and ARGV[10] == '' then
          epoch = ARGV[13]
          redis.call('SET', KEYS[8], epoch)
        elseif not epoch or (ARGV[10] ~= '' and epoch ~= ARGV[10]) then
          return {4, epoch or ''}
        end
        local code = 1
        if ARGV[11] == epoch then
          local held = redis.call('HGET', KEYS[2], ARGV[1])
          if held then
            redis.call('DECRBY', KEYS[1], held)
            redis.call('HDEL', KEYS[2], ARGV[1])
            redis.call('ZREM', KEYS[3], ARGV[1])
            if redis.call('EXISTS', KEYS[7]) == 1 then
              redis.call('INCRBY', KEYS[7], tonumber(ARGV[4]) + tonumber(ARGV[5]) - tonumber(ARGV[6]))
            end
            code = 0
          elseif redis.call('ZREM', KEYS[9], ARGV[1]) == 0 then
            return {2, epoch}
          end
        elseif not redis.call('SET', KEYS[10], '1', 'NX', 'PX', ARGV[12]) then
          return {2, epoch}
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
        return {code, epoch}
        """;

    // KEYS: reserved, resv, resv:exp, rl:tok (of the admission's window), gone:<id>
    // ARGV: id, est_tokens, tombstone (1: the admission's outcome was never known, so it may still arrive), tombstone_ttl_ms
    public const string Release = """
        local held = redis.call('HGET', KEYS[2], ARGV[1])
        if not held then
          if ARGV[3] == '1' then
            redis.call('SET', KEYS[5], '1', 'PX', ARGV[4])
          end
          return 0
        end
        redis.call('DECRBY', KEYS[1], held)
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        if redis.call('EXISTS', KEYS[4]) == 1 then
          redis.call('DECRBY', KEYS[4], ARGV[2])
        end
        return 1
        """;

    // KEYS: ledger:day, epoch
    // ARGV: expert, saved_nanos, ledger_ttl_ms, expected_epoch, new_epoch
    // Returns {1 recorded or 4 reset, epoch}.
    public const string RecordCacheHit = """
        local epoch = redis.call('GET', KEYS[2])
        if not epoch and ARGV[4] == '' then
          epoch = ARGV[5]
          redis.call('SET', KEYS[2], epoch)
        elseif not epoch or (ARGV[4] ~= '' and epoch ~= ARGV[4]) then
          return {4, epoch or ''}
        end
        redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|cache_hits', 1)
        redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|saved_nanos', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {1, epoch}
        """;

    // KEYS: epoch, contributions, spent:d, spent:m, then one ledger:day key per day given
    // ARGV: new_epoch, replica_id, day_nanos, month_nanos, day_ttl_ms, month_ttl_ms, ledger_ttl_ms, then triples
    //       (KEYS index of a ledger day, field, increment)
    // Returns the epoch now in force. Starts a new epoch when there is none, then adds this replica's recorded spend
    // and ledger once per epoch (a replica that asks again after another one started the epoch adds its own share).
    public const string Rebuild = """
        local epoch = redis.call('GET', KEYS[1])
        if not epoch then
          redis.call('SET', KEYS[1], ARGV[1])
          epoch = ARGV[1]
        end
        if redis.call('HSETNX', KEYS[2], epoch .. '|' .. ARGV[2], '1') == 0 then
          return epoch
        end
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        if tonumber(ARGV[3]) > 0 then
          redis.call('INCRBY', KEYS[3], ARGV[3])
          redis.call('PEXPIRE', KEYS[3], ARGV[5])
        end
        if tonumber(ARGV[4]) > 0 then
          redis.call('INCRBY', KEYS[4], ARGV[4])
          redis.call('PEXPIRE', KEYS[4], ARGV[6])
        end
        for i = 8, #ARGV, 3 do
          local key = KEYS[tonumber(ARGV[i])]
          redis.call('HINCRBY', key, ARGV[i + 1], ARGV[i + 2])
          redis.call('PEXPIRE', key, ARGV[7])
        end
        return epoch
        """;
}
