namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// One attempt's two clocks on the injected <see cref="TimeProvider"/>: until the first byte, and in total. Whichever
/// fires first cancels <see cref="Token"/> and is remembered in <see cref="ExpiredBy"/>.
/// </summary>
internal sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ITimer _firstToken;
    private readonly ITimer _total;
    private int _expired;

    public AttemptDeadline(CancellationToken clientAborted, AttemptLimits limits, TimeProvider time)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        Token = _source.Token;
        _firstToken = time.CreateTimer(static s => ((AttemptDeadline)s!).Expire(AttemptOutcome.FirstTokenTimeout), this, limits.FirstToken, Timeout.InfiniteTimeSpan);
        _total = time.CreateTimer(static s => ((AttemptDeadline)s!).Expire(AttemptOutcome.TotalTimeout), this, limits.Total, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token { get; }

    /// <summary><see cref="AttemptOutcome.FirstTokenTimeout"/> or <see cref="AttemptOutcome.TotalTimeout"/> once one fired.</summary>
    public AttemptOutcome? ExpiredBy { get; private set; }

    public Task FirstByteSent()
    {
        _firstToken.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _expired, 1);
        _firstToken.Dispose();
        _total.Dispose();
        _source.Dispose();
    }

    private void Expire(AttemptOutcome reason)
    {
        if (Interlocked.Exchange(ref _expired, 1) != 0)
        {
            return;
        }

        ExpiredBy = reason;
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended while the timer fired.
        }
    }
}
