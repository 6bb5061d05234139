using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// Picks the fault, if any, for one request: the override header first, then the configured rules in order. Rules
/// count the requests they match, so <c>EveryNth</c> is exact under concurrency; probabilities come from a random
/// source seeded by <see cref="SimulatorOptions.Seed"/>.
/// </summary>
internal sealed class FaultInjector
{
    private readonly CompiledRule[] rules;
    private readonly Random random;
    private readonly Lock randomLock = new();

    public FaultInjector(IReadOnlyList<FaultRule> rules, Random random)
    {
        this.rules = rules.Select(rule => new CompiledRule(rule.Model, rule.Probability, rule.EveryNth, InjectedFault.FromRule(rule))).ToArray();
        this.random = random;
    }

    /// <summary>Returns false with an error when the override header is malformed.</summary>
    public bool TrySelect(string model, HttpRequest request, out InjectedFault? fault, out ApiError? error)
    {
        error = null;
        if (request.Headers.TryGetValue(FaultHeader.Name, out var header) && header.ToString() is { Length: > 0 } text)
        {
            return FaultHeader.TryParse(text, out fault, out error);
        }

        fault = null;
        foreach (var rule in rules)
        {
            if (rule.Model != "*" && !string.Equals(rule.Model, model, StringComparison.Ordinal))
            {
                continue;
            }

            if (Fires(rule))
            {
                fault = rule.Fault;
                return true;
            }
        }

        return true;
    }

    private bool Fires(CompiledRule rule)
    {
        if (rule.EveryNth is { } nth)
        {
            return Interlocked.Increment(ref rule.Matched) % nth == 0;
        }

        if (rule.Probability is { } probability)
        {
            lock (randomLock)
            {
                return random.NextDouble() < probability;
            }
        }

        return true;
    }

    private sealed class CompiledRule(string model, double? probability, int? everyNth, InjectedFault fault)
    {
        public long Matched;

        public string Model { get; } = model;

        public double? Probability { get; } = probability;

        public int? EveryNth { get; } = everyNth;

        public InjectedFault Fault { get; } = fault;
    }
}
