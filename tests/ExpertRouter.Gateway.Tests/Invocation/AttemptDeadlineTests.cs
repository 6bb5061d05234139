using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>An attempt's first-token and total deadlines, kept by one timer.</summary>
public sealed class AttemptDeadlineTests
{
    private static readonly AttemptLimits Limits = new(Connect: TimeSpan.FromSeconds(1), FirstToken: TimeSpan.FromSeconds(10), Total: TimeSpan.FromSeconds(60));
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NoFirstByte_EndsAtTheFirstTokenDeadline()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, Limits, _time);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(deadline.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Equal(AttemptOutcome.FirstTokenTimeout, deadline.ExpiredBy);
    }

    [Fact]
    public void FirstByte_LeavesOnlyTheTotal_CountedFromTheAttemptsStart()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, Limits, _time);
        _time.Advance(TimeSpan.FromSeconds(4));
        deadline.FirstByteSent();

        _time.Advance(TimeSpan.FromSeconds(55) + TimeSpan.FromMilliseconds(999));
        Assert.False(deadline.Token.IsCancellationRequested);
        Assert.Null(deadline.ExpiredBy);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Equal(AttemptOutcome.TotalTimeout, deadline.ExpiredBy);
    }

    [Fact]
    public void TotalShorterThanTheFirstTokenWait_EndsAtTheTotal()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, Limits with { Total = TimeSpan.FromSeconds(3) }, _time);

        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Equal(AttemptOutcome.TotalTimeout, deadline.ExpiredBy);
    }

    [Fact]
    public void SecondFirstByte_DoesNotMoveTheTotal()
    {
        using var deadline = new AttemptDeadline(CancellationToken.None, Limits, _time);
        _time.Advance(TimeSpan.FromSeconds(1));
        deadline.FirstByteSent();
        _time.Advance(TimeSpan.FromSeconds(30));
        deadline.FirstByteSent();

        _time.Advance(TimeSpan.FromSeconds(29));

        Assert.Equal(AttemptOutcome.TotalTimeout, deadline.ExpiredBy);
    }

    [Fact]
    public void ClientGone_CancelsWithoutATimeout()
    {
        using var client = new CancellationTokenSource();
        using var deadline = new AttemptDeadline(client.Token, Limits, _time);

        client.Cancel();

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Null(deadline.ExpiredBy);
    }

    [Fact]
    public void Disposed_NeverFires()
    {
        var deadline = new AttemptDeadline(CancellationToken.None, Limits, _time);
        deadline.Dispose();

        _time.Advance(TimeSpan.FromMinutes(5));
        deadline.FirstByteSent();

        Assert.Null(deadline.ExpiredBy);
    }

    [Fact]
    public void FirstTokenWaitFiringAsTheFirstByteRearms_IsIgnored_AndTheTotalStillHolds()
    {
        // The runtime may run the first-token wait's callback after the first byte re-armed the timer (it was already
        // queued): that late call must neither end the attempt nor lose the total.
        var time = new CallbackCapturingTimeProvider();
        using var deadline = new AttemptDeadline(CancellationToken.None, Limits, time);
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        deadline.FirstByteSent();

        time.Advance(TimeSpan.FromMilliseconds(1));
        time.RunCallbackNow();

        Assert.False(deadline.Token.IsCancellationRequested);
        Assert.Null(deadline.ExpiredBy);
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(AttemptOutcome.TotalTimeout, deadline.ExpiredBy);
    }

    private sealed class CallbackCapturingTimeProvider : FakeTimeProvider
    {
        private (TimerCallback Callback, object? State)? _timer;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timer = (callback, state);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        public void RunCallbackNow() => _timer!.Value.Callback(_timer.Value.State);
    }
}
