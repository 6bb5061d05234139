using System.Collections.Frozen;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>One attempt's limits on one expert, resolved from its own values and the gateway's defaults.</summary>
public readonly record struct AttemptLimits(TimeSpan Connect, TimeSpan FirstToken, TimeSpan Total);

/// <summary>Every expert's resolved limits, looked up by expert id (which is also its YARP cluster id).</summary>
public sealed class ExpertTimeoutTable
{
    private readonly FrozenDictionary<string, AttemptLimits> _byExpert;
    private readonly AttemptLimits _defaults;

    public ExpertTimeoutTable(IEnumerable<ExpertDefinition> experts, ExpertTimeouts defaults)
    {
        _defaults = Resolve(defaults, defaults);
        _byExpert = experts.ToFrozenDictionary(e => e.Id, e => Resolve(e.Timeouts ?? defaults, defaults), StringComparer.Ordinal);
    }

    public AttemptLimits For(string expertId) => _byExpert.GetValueOrDefault(expertId, _defaults);

    private static AttemptLimits Resolve(ExpertTimeouts own, ExpertTimeouts defaults)
    {
        var merged = own.Or(defaults);
        return new AttemptLimits(
            Seconds(merged.ConnectSeconds, 5),
            Seconds(merged.FirstTokenSeconds, 120),
            Seconds(merged.TotalSeconds, 600));
    }

    private static TimeSpan Seconds(double? value, double fallback) => TimeSpan.FromSeconds(value ?? fallback);
}
