namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// The Lua scripts that keep an expert's quota exact across replicas. Every key of one quota starts
/// <c>er:{x:&lt;expert&gt;}:</c> (a Redis Cluster hash tag), so one script may touch them all. Requests and tokens
/// count in keys per fixed UTC minute (the tenant rate limits' windows); places in flight are a sorted set of lease
/// ids scored by expiry, so those of a crashed replica are swept by the next take.
/// </summary>
internal static class RedisCapacityScripts
{
    // KEYS: req:<window>, tok:<window>, conc, block
    // ARGV: now_ms, rpm(-1), tpm(-1), max_concurrency(-1), est_tokens, lease_id, lease_expiry_ms, window_ttl_ms, ms_to_window_end,
    //       honour_block (0 for a retry that already waited out the provider's Retry-After)
    // Returns {outcome (0 granted, 1 requests, 2 tokens, 3 concurrency, 4 provider block), requests, tokens, in_flight, wait_ms}
    public const string Take = """
        local now = tonumber(ARGV[1])
        local req = tonumber(redis.call('GET', KEYS[1]) or '0')
        local tok = tonumber(redis.call('GET', KEYS[2]) or '0')
        local maxc = tonumber(ARGV[4])
        local conc = 0
        if maxc >= 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          conc = redis.call('ZCARD', KEYS[3])
        end
        local blocked = redis.call('PTTL', KEYS[4])
        if blocked > 0 and ARGV[10] == '1' then
          return {4, req, tok, conc, blocked}
        end
        local rpm = tonumber(ARGV[2])
        local tpm = tonumber(ARGV[3])
        local est = tonumber(ARGV[5])
        if rpm >= 0 and req + 1 > rpm then
          return {1, req, tok, conc, tonumber(ARGV[9])}
        end
        if tpm >= 0 and tok > 0 and tok + est > tpm then
          return {2, req, tok, conc, tonumber(ARGV[9])}
        end
        if maxc >= 0 and conc + 1 > maxc then
          return {3, req, tok, conc, 0}
        end
        if rpm >= 0 then
          req = redis.call('INCR', KEYS[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[8])
        end
        if tpm >= 0 then
          tok = redis.call('INCRBY', KEYS[2], est)
          redis.call('PEXPIRE', KEYS[2], ARGV[8])
        end
        if maxc >= 0 then
          redis.call('ZADD', KEYS[3], ARGV[7], ARGV[6])
          redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[7]) - now)
          conc = conc + 1
        end
        return {0, req, tok, conc, 0}
        """;

    // KEYS: req:<window>, tok:<window> (the take's window), conc
    // ARGV: lease_id ('' without one), token_delta, request_delta (0 settled, -1 never sent)
    // Returns {requests, tokens, in_flight}. Counts of a window that expired are left alone; none goes below 0.
    public const string GiveBack = """
        local req = 0
        if redis.call('EXISTS', KEYS[1]) == 1 then
          req = redis.call('INCRBY', KEYS[1], ARGV[3])
          if req < 0 then
            redis.call('INCRBY', KEYS[1], -req)
            req = 0
          end
        end
        local tok = 0
        if redis.call('EXISTS', KEYS[2]) == 1 then
          tok = redis.call('INCRBY', KEYS[2], ARGV[2])
          if tok < 0 then
            redis.call('INCRBY', KEYS[2], -tok)
            tok = 0
          end
        end
        local conc = 0
        if ARGV[1] ~= '' then
          redis.call('ZREM', KEYS[3], ARGV[1])
          conc = redis.call('ZCARD', KEYS[3])
        end
        return {req, tok, conc}
        """;

    // KEYS: block; ARGV: duration_ms. Lengthens the block, never shortens it.
    public const string Block = """
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
        end
        return 1
        """;
}
