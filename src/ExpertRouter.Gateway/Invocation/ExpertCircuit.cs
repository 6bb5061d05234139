using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Invocation;

public enum CircuitState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}

/// <summary>
/// One expert's circuit: closed until a sampling window holds enough judged attempts with a high enough failure
/// ratio (see <see cref="CircuitBreakerOptions"/>), then open for the break; after it, half-open lets exactly one
/// probe through, whose verdict closes or reopens it.
/// Time comes from the injected <see cref="TimeProvider"/>, so tests drive it without waiting.
/// </summary>
public sealed class ExpertCircuit(CircuitBreakerOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _break = TimeSpan.FromSeconds(options.BreakSeconds);
    private readonly TimeSpan _sampling = TimeSpan.FromSeconds(options.SamplingSeconds);
    private CircuitState _state;
    private DateTimeOffset _windowEnd;
    private int _judged;
    private int _failures;
    private DateTimeOffset _openUntil;
    private bool _probeInFlight;

    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                return Current();
            }
        }
    }

    /// <summary>True when an attempt may go to the expert now; in half-open it claims the single probe.</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            switch (Current())
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.HalfOpen when !_probeInFlight:
                    _probeInFlight = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Records an attempt's verdict; returns the new state when it changed.</summary>
    public CircuitState? Record(AttemptVerdict verdict)
    {
        lock (_gate)
        {
            var before = Current();
            _probeInFlight = false;
            switch (verdict)
            {
                case AttemptVerdict.Healthy when before == CircuitState.HalfOpen:
                    _state = CircuitState.Closed;
                    (_judged, _failures) = (0, 0);
                    break;
                case AttemptVerdict.Failed or AttemptVerdict.ContentFailed when before == CircuitState.HalfOpen:
                    Open();
                    break;
                case not AttemptVerdict.Neutral when before == CircuitState.Closed:
                    Count(verdict is AttemptVerdict.Failed or AttemptVerdict.ContentFailed);
                    break;
            }

            var after = Current();
            return after == before ? null : after;
        }
    }

    private void Count(bool failed)
    {
        var now = time.GetUtcNow();
        if (now >= _windowEnd)
        {
            (_judged, _failures, _windowEnd) = (0, 0, now + _sampling);
        }

        _judged++;
        _failures += failed ? 1 : 0;
        if (_judged >= options.MinimumThroughput && _failures >= options.FailureRatio * _judged)
        {
            Open();
        }
    }

    private void Open()
    {
        _state = CircuitState.Open;
        (_judged, _failures, _windowEnd) = (0, 0, default);
        _openUntil = time.GetUtcNow() + _break;
    }

    private CircuitState Current()
    {
        if (_state == CircuitState.Open && time.GetUtcNow() >= _openUntil)
        {
            _state = CircuitState.HalfOpen;
        }

        return _state;
    }
}
