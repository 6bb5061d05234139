namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// One attempt's two clocks on the injected <see cref="TimeProvider"/>: until the first byte, and in total. Whichever
/// runs out first cancels <see cref="Token"/> and is remembered in <see cref="ExpiredBy"/>.
/// </summary>
/// <remarks>
/// One timer serves both clocks (every attempt of every request creates this, and a timer is a timer-queue entry
/// under a lock each way): it first waits for the nearer of the two deadlines; the first byte re-arms it for what is
/// left of the total.
/// </remarks>
internal sealed class AttemptDeadline : IDisposable
{
    private const int Waiting = 0, Answering = 1, Ended = 2;

    /// <summary>How much sooner than the total a timer may fire and still end the attempt (timers tick in milliseconds).</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromMilliseconds(1);
    private readonly CancellationTokenSource _source;
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _total;
    private readonly bool _firstTokenIsNearer;
    private int _phase;

    public AttemptDeadline(CancellationToken clientAborted, AttemptLimits limits, TimeProvider time)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        Token = _source.Token;
        (_time, _started, _total) = (time, time.GetTimestamp(), limits.Total);
        _firstTokenIsNearer = limits.FirstToken <= limits.Total;
        var due = _firstTokenIsNearer ? limits.FirstToken : limits.Total;
        _timer = time.CreateTimer(static s => ((AttemptDeadline)s!).Fire(), this, due, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token { get; }

    /// <summary><see cref="AttemptOutcome.FirstTokenTimeout"/> or <see cref="AttemptOutcome.TotalTimeout"/> once one fired.</summary>
    public AttemptOutcome? ExpiredBy { get; private set; }

    public Task FirstByteSent()
    {
        if (Interlocked.CompareExchange(ref _phase, Answering, Waiting) == Waiting && _firstTokenIsNearer)
        {
            var left = _total - _time.GetElapsedTime(_started);
            try
            {
                _timer.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended while its answer started.
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _phase, Ended);
        _timer.Dispose();
        _source.Dispose();
    }

    private void Fire()
    {
        while (true)
        {
            var phase = Volatile.Read(ref _phase);
            if (phase == Ended)
            {
                return;
            }

            if (phase == Answering && _firstTokenIsNearer)
            {
                // The first-token wait may fire just as the first byte re-arms the timer: with the total not yet
                // reached, this firing is that stale one, and the timer waits for the rest (again, if the re-arm won).
                var left = _total - _time.GetElapsedTime(_started);
                if (left > EarlyTolerance)
                {
                    try
                    {
                        _timer.Change(left, Timeout.InfiniteTimeSpan);
                    }
                    catch (ObjectDisposedException)
                    {
                        // The attempt ended meanwhile.
                    }

                    return;
                }
            }

            if (Interlocked.CompareExchange(ref _phase, Ended, phase) != phase)
            {
                continue; // the first byte or the end of the attempt came in between
            }

            // Before the first byte the timer waits for the nearer deadline; after it, only the total is left.
            ExpiredBy = phase == Waiting && _firstTokenIsNearer ? AttemptOutcome.FirstTokenTimeout : AttemptOutcome.TotalTimeout;
            try
            {
                _source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended while the timer fired.
            }

            return;
        }
    }
}
