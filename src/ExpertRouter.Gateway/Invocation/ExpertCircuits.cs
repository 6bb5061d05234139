using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// The circuits of all experts. Each expert has a shared circuit and one per tenant that uses it. Transport failures
/// (timeouts, resets, 502/503/504) count in the shared circuit, since they say the expert is down for everyone. A
/// 500-like failure may be caused by what one tenant sends, so it counts in that tenant's circuit, and in the shared
/// one only when another tenant saw one from the same expert within the sampling window: one tenant's traffic cannot
/// take an expert away from the others. Exposes the <c>expertrouter.circuit.state</c> gauge (shared circuits: 0 closed,
/// 1 half-open, 2 open) and the <c>expertrouter.retries</c> counter. A disabled breaker lets everything through.
/// </summary>
public sealed partial class ExpertCircuits
{
    private readonly FrozenDictionary<string, ExpertCircuit> _shared;
    private readonly FrozenDictionary<string, ContentFailureWitness> _witnesses;
    private readonly ConcurrentDictionary<(string Expert, string Tenant), ExpertCircuit> _byTenant = new();
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly Counter<long> _retries;
    private readonly ILogger<ExpertCircuits> _logger;

    public ExpertCircuits(IEnumerable<ExpertDefinition> experts, CircuitBreakerOptions options, TimeProvider time, IMeterFactory meters, ILogger<ExpertCircuits> logger)
    {
        (_options, _time, _logger) = (options, time, logger);
        var ids = experts.Select(e => e.Id).ToArray();
        _shared = ids.ToFrozenDictionary(id => id, _ => new ExpertCircuit(options, time), StringComparer.Ordinal);
        _witnesses = ids.ToFrozenDictionary(id => id, _ => new ContentFailureWitness(), StringComparer.Ordinal);
        var meter = meters.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("expertrouter.circuit.state", Observe, description: "Shared circuit state per expert: 0 closed, 1 half-open, 2 open.");
        _retries = meter.CreateCounter<long>("expertrouter.retries", description: "Attempts repeated on the same expert after a transient failure.");
    }

    /// <summary>The shared circuit's state: what the expert looks like to every tenant.</summary>
    public CircuitState StateOf(string expert) =>
        _options.Enabled && _shared.TryGetValue(expert, out var circuit) ? circuit.State : CircuitState.Closed;

    /// <summary>The expert as <paramref name="tenant"/> sees it: its own circuit when that is not closed, else the shared one.</summary>
    public CircuitState StateOf(string expert, string tenant) =>
        _options.Enabled && _byTenant.TryGetValue((expert, tenant), out var own) && own.State != CircuitState.Closed ? own.State : StateOf(expert);

    /// <summary>The tenants whose own circuit for <paramref name="expert"/> is not closed now.</summary>
    public IEnumerable<(string Tenant, CircuitState State)> OpenTenantCircuits(string expert) =>
        _options.Enabled
            ? _byTenant.Where(p => p.Key.Expert == expert).Select(p => (p.Key.Tenant, p.Value.State)).Where(p => p.State != CircuitState.Closed)
            : [];

    public IEnumerable<(string Expert, CircuitState State)> States() =>
        _shared.Select(pair => (pair.Key, StateOf(pair.Key)));

    /// <summary>True when an attempt of <paramref name="tenant"/> may go to the expert now (claims a half-open probe).</summary>
    public bool TryEnter(string expert, string tenant)
    {
        if (!_options.Enabled || !_shared.TryGetValue(expert, out var shared))
        {
            return true;
        }

        var own = _byTenant.TryGetValue((expert, tenant), out var found) ? found : null;
        if (own is not null && !own.TryEnter())
        {
            return false;
        }

        if (shared.TryEnter())
        {
            return true;
        }

        // The shared circuit refused: give back the tenant circuit's probe, if this attempt had claimed it.
        own?.Record(AttemptVerdict.Neutral);
        return false;
    }

    public void Record(string expert, string tenant, AttemptVerdict verdict)
    {
        if (!_options.Enabled || !_shared.TryGetValue(expert, out var shared))
        {
            return;
        }

        var own = verdict == AttemptVerdict.ContentFailed
            ? _byTenant.GetOrAdd((expert, tenant), _ => new ExpertCircuit(_options, _time))
            : _byTenant.TryGetValue((expert, tenant), out var found) ? found : null;
        if (own?.Record(verdict == AttemptVerdict.Failed ? AttemptVerdict.Neutral : verdict) is { } ownChanged)
        {
            Log.TenantStateChanged(_logger, expert, tenant, ownChanged);
        }

        var sharedVerdict = verdict == AttemptVerdict.ContentFailed && !_witnesses[expert].SeenByAnother(tenant, _time.GetUtcNow(), _options.SamplingSeconds)
            ? AttemptVerdict.Neutral
            : verdict;
        if (shared.Record(sharedVerdict) is { } changed)
        {
            Log.StateChanged(_logger, expert, changed);
        }
    }

    public void Retried(string expert, string reason) =>
        _retries.Add(1, new("expert", expert), new("reason", reason));

    private IEnumerable<Measurement<int>> Observe() =>
        States().Select(s => new Measurement<int>((int)s.State, new KeyValuePair<string, object?>("expert", s.Expert)));

    /// <summary>Remembers the last tenant that saw a 500-like failure from one expert, and when.</summary>
    private sealed class ContentFailureWitness
    {
        private readonly Lock _gate = new();
        private string? _lastTenant;
        private DateTimeOffset _lastAt;
        private string? _otherTenant;
        private DateTimeOffset _otherAt;

        /// <summary>Records this failure; true when a different tenant saw one within the window.</summary>
        public bool SeenByAnother(string tenant, DateTimeOffset now, double windowSeconds)
        {
            lock (_gate)
            {
                var window = TimeSpan.FromSeconds(windowSeconds);
                var seen = (_lastTenant is not null && _lastTenant != tenant && now - _lastAt <= window)
                    || (_otherTenant is not null && _otherTenant != tenant && now - _otherAt <= window);
                if (_lastTenant != tenant)
                {
                    (_otherTenant, _otherAt) = (_lastTenant, _lastAt);
                }

                (_lastTenant, _lastAt) = (tenant, now);
                return seen;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.CircuitChanged, Level = LogLevel.Warning, Message = "Circuit of expert {Expert} is now {State}.")]
        public static partial void StateChanged(ILogger logger, string expert, CircuitState state);

        [LoggerMessage(EventId = LogEvents.TenantCircuitChanged, Level = LogLevel.Warning, Message = "Circuit of expert {Expert} for tenant {Tenant} is now {State}.")]
        public static partial void TenantStateChanged(ILogger logger, string expert, string tenant, CircuitState state);
    }
}
