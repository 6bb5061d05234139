using System.Reflection;
using ExpertRouter.Core.Telemetry;

namespace ExpertRouter.Gateway.Tests.Telemetry;

public sealed class LogEventsTests
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(Gateway.Hosting.GatewayApp).Assembly,
        typeof(LogEvents).Assembly,
        typeof(Irt.Serving.IrtSkillRouter).Assembly,
        typeof(Policies.PolicyDirectory).Assembly,
        typeof(Simulation.SimulatedExpertServer).Assembly,
    ];

    [Fact]
    public void EveryLogMessage_HasItsOwnId_FromLogEvents()
    {
        var declared = typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(f => (int)f.GetValue(null)!, f => f.Name);
        var used = Assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (Name: $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}", x.Attribute!.EventId))
            .ToArray();

        Assert.NotEmpty(used);
        Assert.Equal(declared.Count, declared.Values.Distinct().Count());
        Assert.All(used, u => Assert.True(declared.ContainsKey(u.EventId), $"{u.Name} uses event id {u.EventId}, which LogEvents does not declare."));
        var reused = used.GroupBy(u => u.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(u => u.Name))}");
        Assert.Empty(reused);
    }
}
