using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>The shared and per-tenant circuits of experts: which failures count against whom.</summary>
public sealed class ExpertCircuitsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ExpertCircuits _circuits;

    public ExpertCircuitsTests() => _circuits = new ExpertCircuits(
        [new ExpertDefinition { Id = "e" }],
        new CircuitBreakerOptions { MinimumThroughput = 2, FailureRatio = 0.5, SamplingSeconds = 30, BreakSeconds = 30 },
        _time, _services.GetRequiredService<IMeterFactory>(), NullLogger<ExpertCircuits>.Instance);

    public void Dispose() => _services.Dispose();

    [Fact]
    public void TransportFailures_OpenTheSharedCircuit_ForEveryTenant()
    {
        _circuits.Record("e", "a", AttemptVerdict.Failed);
        _circuits.Record("e", "b", AttemptVerdict.Failed);

        Assert.Equal(CircuitState.Open, _circuits.StateOf("e"));
        Assert.False(_circuits.TryEnter("e", "c"));
    }

    [Fact]
    public void ContentFailures_OfOneTenant_OpenOnlyThatTenantsCircuit()
    {
        for (var i = 0; i < 5; i++)
        {
            _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        }

        Assert.False(_circuits.TryEnter("e", "a"));
        Assert.True(_circuits.TryEnter("e", "b"));
        Assert.Equal(CircuitState.Closed, _circuits.StateOf("e"));
        Assert.Equal(CircuitState.Open, _circuits.StateOf("e", "a"));
    }

    [Fact]
    public void ContentFailures_SeenByTwoTenants_CountForEveryone()
    {
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _circuits.Record("e", "b", AttemptVerdict.ContentFailed);
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);

        Assert.Equal(CircuitState.Open, _circuits.StateOf("e"));
    }

    [Fact]
    public void ContentFailures_OfTwoTenants_FarApart_DoNotAddUp()
    {
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _time.Advance(TimeSpan.FromSeconds(31));
        _circuits.Record("e", "b", AttemptVerdict.ContentFailed);
        _circuits.Record("e", "b", AttemptVerdict.ContentFailed);

        Assert.Equal(CircuitState.Closed, _circuits.StateOf("e"));
    }

    [Fact]
    public void TenantCircuit_HalfOpenProbe_ClosesItAgain()
    {
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(_circuits.TryEnter("e", "a"));
        Assert.False(_circuits.TryEnter("e", "a"));
        _circuits.Record("e", "a", AttemptVerdict.Healthy);

        Assert.Equal(CircuitState.Closed, _circuits.StateOf("e", "a"));
    }

    [Fact]
    public void SharedRefusal_GivesBackTheTenantsProbe()
    {
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _circuits.Record("e", "a", AttemptVerdict.ContentFailed);
        _time.Advance(TimeSpan.FromSeconds(30));
        _circuits.Record("e", "b", AttemptVerdict.Failed);
        _circuits.Record("e", "b", AttemptVerdict.Failed);

        Assert.False(_circuits.TryEnter("e", "a"));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(_circuits.TryEnter("e", "a"));
    }
}
