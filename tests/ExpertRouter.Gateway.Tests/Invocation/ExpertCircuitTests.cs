using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Invocation;

public sealed class ExpertCircuitTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ExpertCircuit _circuit;

    public ExpertCircuitTests() => _circuit = new ExpertCircuit(
        new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 4, SamplingSeconds = 10, BreakSeconds = 10 }, _time);

    [Fact]
    public void FailureRatioBelowLimit_StaysClosed()
    {
        Record(AttemptVerdict.Failed, AttemptVerdict.Healthy, AttemptVerdict.Healthy, AttemptVerdict.Healthy, AttemptVerdict.Failed, AttemptVerdict.Healthy);

        Assert.Equal(CircuitState.Closed, _circuit.State);
        Assert.True(_circuit.TryEnter());
    }

    [Fact]
    public void FailuresBelowMinimumThroughput_StayClosed()
    {
        Record(AttemptVerdict.Failed, AttemptVerdict.Failed, AttemptVerdict.Failed, AttemptVerdict.Neutral, AttemptVerdict.Neutral);

        Assert.Equal(CircuitState.Closed, _circuit.State);
    }

    [Fact]
    public void Failures_SpreadOverWindows_DoNotAddUp()
    {
        Record(AttemptVerdict.Failed, AttemptVerdict.Failed, AttemptVerdict.Failed);
        _time.Advance(TimeSpan.FromSeconds(10));
        Record(AttemptVerdict.Failed);

        Assert.Equal(CircuitState.Closed, _circuit.State);
    }

    [Fact]
    public void RatioReached_WithThroughput_OpensAndRejectsUntilBreakEnds()
    {
        Record(AttemptVerdict.Failed, AttemptVerdict.Healthy, AttemptVerdict.Failed);
        Assert.Equal(CircuitState.Open, _circuit.Record(AttemptVerdict.Healthy));

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

    private void Record(params AttemptVerdict[] verdicts)
    {
        foreach (var verdict in verdicts)
        {
            _circuit.Record(verdict);
        }
    }

    private void OpenAndWaitOutBreak()
    {
        Record(AttemptVerdict.Failed, AttemptVerdict.Failed, AttemptVerdict.Failed, AttemptVerdict.Failed);
        Assert.Equal(CircuitState.Open, _circuit.State);
        _time.Advance(TimeSpan.FromSeconds(10));
    }
}
