using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Resilience;

/// <summary>
/// The circuits of all experts, with the <c>expertrouter.circuit.state</c> gauge (0 closed, 1 half-open, 2 open)
/// and the <c>expertrouter.retries</c> counter. A disabled breaker lets everything through and reports closed.
/// </summary>
public sealed partial class ExpertCircuits
{
    private readonly FrozenDictionary<string, ExpertCircuit> _circuits;
    private readonly bool _enabled;
    private readonly Counter<long> _retries;
    private readonly ILogger<ExpertCircuits> _logger;

    public ExpertCircuits(IEnumerable<ExpertDefinition> experts, CircuitBreakerOptions options, TimeProvider time, IMeterFactory meters, ILogger<ExpertCircuits> logger)
    {
        _enabled = options.Enabled;
        _logger = logger;
        _circuits = experts.ToFrozenDictionary(e => e.Id, _ => new ExpertCircuit(options, time), StringComparer.Ordinal);
        var meter = meters.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("expertrouter.circuit.state", Observe, description: "Circuit state per expert: 0 closed, 1 half-open, 2 open.");
        _retries = meter.CreateCounter<long>("expertrouter.retries", description: "Attempts repeated on the same expert after a transient failure.");
    }

    public CircuitState StateOf(string expert) =>
        _enabled && _circuits.TryGetValue(expert, out var circuit) ? circuit.State : CircuitState.Closed;

    public IEnumerable<(string Expert, CircuitState State)> States() =>
        _circuits.Select(pair => (pair.Key, StateOf(pair.Key)));

    /// <summary>True when an attempt may go to the expert now (claims the probe when half-open).</summary>
    public bool TryEnter(string expert) =>
        !_enabled || !_circuits.TryGetValue(expert, out var circuit) || circuit.TryEnter();

    public void Record(string expert, AttemptVerdict verdict)
    {
        if (_enabled && _circuits.TryGetValue(expert, out var circuit) && circuit.Record(verdict) is { } changed)
        {
            Log.StateChanged(_logger, expert, changed);
        }
    }

    public void Retried(string expert, string reason) =>
        _retries.Add(1, new("expert", expert), new("reason", reason));

    private IEnumerable<Measurement<int>> Observe() =>
        States().Select(s => new Measurement<int>((int)s.State, new KeyValuePair<string, object?>("expert", s.Expert)));

    private static partial class Log
    {
        [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Circuit of expert {Expert} is now {State}.")]
        public static partial void StateChanged(ILogger logger, string expert, CircuitState state);
    }
}
