using ExpertRouter.Gateway.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Resilience;

public sealed class ExpertCircuitTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ExpertCircuit _circuit;

    public ExpertCircuitTests() =>
        _circuit = new ExpertCircuit(new CircuitBreakerOptions { FailureThreshold = 3, BreakSeconds = 10 }, _time);

    [Fact]
    public void Failures_BelowThreshold_StayClosed()
    {
        _circuit.Record(AttemptVerdict.Failed);
        _circuit.Record(AttemptVerdict.Failed);
        _circuit.Record(AttemptVerdict.Healthy);
        _circuit.Record(AttemptVerdict.Failed);
        _circuit.Record(AttemptVerdict.Failed);

        Assert.Equal(CircuitState.Closed, _circuit.State);
        Assert.True(_circuit.TryEnter());
    }

    [Fact]
    public void ConsecutiveFailures_AtThreshold_OpenAndRejectUntilBreakEnds()
    {
        Assert.Null(_circuit.Record(AttemptVerdict.Failed));
        Assert.Null(_circuit.Record(AttemptVerdict.Neutral));
        Assert.Null(_circuit.Record(AttemptVerdict.Failed));
        Assert.Equal(CircuitState.Open, _circuit.Record(AttemptVerdict.Failed));

        Assert.False(_circuit.TryEnter());
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(_circuit.TryEnter());
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(CircuitState.HalfOpen, _circuit.State);
    }

    [Fact]
    public void HalfOpen_LetsOneProbeThrough_SuccessCloses()
    {
        OpenAndWaitOutBreak();

        Assert.True(_circuit.TryEnter());
        Assert.False(_circuit.TryEnter());
        Assert.Equal(CircuitState.Closed, _circuit.Record(AttemptVerdict.Healthy));
        Assert.True(_circuit.TryEnter());
    }

    [Fact]
    public void HalfOpen_ProbeFails_ReopensForAnotherBreak()
    {
        OpenAndWaitOutBreak();

        Assert.True(_circuit.TryEnter());
        Assert.Equal(CircuitState.Open, _circuit.Record(AttemptVerdict.Failed));
        Assert.False(_circuit.TryEnter());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(_circuit.TryEnter());
    }

    [Fact]
    public void HalfOpen_NeutralProbe_FreesTheProbeSlot()
    {
        OpenAndWaitOutBreak();

        Assert.True(_circuit.TryEnter());
        Assert.Null(_circuit.Record(AttemptVerdict.Neutral));
        Assert.Equal(CircuitState.HalfOpen, _circuit.State);
        Assert.True(_circuit.TryEnter());
    }

    private void OpenAndWaitOutBreak()
    {
        for (var i = 0; i < 3; i++)
        {
            _circuit.Record(AttemptVerdict.Failed);
        }

        _time.Advance(TimeSpan.FromSeconds(10));
    }
}
