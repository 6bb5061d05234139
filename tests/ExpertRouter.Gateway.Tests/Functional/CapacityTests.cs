using System.Globalization;
using System.Net;
using System.Text;
using ExpertRouter.Gateway.Tests.Capacity;
using ExpertRouter.Gateway.Tests.RequestLog;
using ExpertRouter.Simulation;
using ExpertRouter.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// Capacity through the real gateway, against one external simulator that counts what each expert received: the
/// cheapest expert ("a-…") has the quota or the fault, the next ("b-…") stands in. Expert ids are unique per test, so
/// quotas in a shared Redis never meet another run's.
/// </summary>
public sealed class CapacityTests : IAsyncLifetime
{
    private readonly string _a = "a-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _b = "b-" + Guid.NewGuid().ToString("N")[..8];
    private SimulatedExpertServer _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatedExpertServer.StartAsync(new SimulatorOptions
    {
        Faults = [new FaultRule { Model = "slow-*", Kind = "delay", DelayMs = 1 }],
    });

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [RedisFact]
    public async Task TwoReplicasOnOneRedis_ShareTheRequestsPerMinute_TheNPlusFirstGoesElsewhere()
    {
        var clock = MidMinute();
        await using var one = await StartAsync(Redis(RedisTestServer.Shared!, ("RequestsPerMinute", "4")), clock);
        await using var two = await StartAsync(Redis(RedisTestServer.Shared!, ("RequestsPerMinute", "4")), clock);

        var answered = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await PostAsync(i % 2 == 0 ? one : two);
            answered.Add(Header(response, "x-expertrouter-expert")!);
        }

        using var fifth = await PostAsync(one);
        using var sixth = await PostAsync(two);

        Assert.All(answered, expert => Assert.Equal(_a, expert));
        Assert.Equal(_b, Header(fifth, "x-expertrouter-expert"));
        Assert.Equal(_a + ";capacity", Header(fifth, "x-expertrouter-fallbacks"));
        Assert.Equal(_b, Header(sixth, "x-expertrouter-expert"));
        Assert.Equal(4, _simulator.RequestCount(_a));
        Assert.Equal(2, _simulator.RequestCount(_b));
    }

    [AtomicRedisFact]
    public async Task TwoReplicasOnOneRedis_ConcurrentRequests_NeverSendMoreThanTheQuota()
    {
        var clock = MidMinute();
        await using var one = await StartAsync(Redis(AtomicRedis.Shared!, ("RequestsPerMinute", "10")), clock);
        await using var two = await StartAsync(Redis(AtomicRedis.Shared!, ("RequestsPerMinute", "10")), clock);

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await PostAsync(i % 2 == 0 ? one : two);
            return (response.StatusCode, Expert: Header(response, "x-expertrouter-expert"));
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(10, responses.Count(r => r.Expert == _a));
        Assert.Equal(10, _simulator.RequestCount(_a));
        Assert.Equal(20, _simulator.RequestCount(_b));
    }

    [Fact]
    public async Task ExpertAnswering429WithProviderHeaders_IsAvoidedUntilItsReset()
    {
        var clock = MidMinute();
        await using var gateway = await StartAsync([("Resilience:MaxRetryAfterSeconds", "1")], clock);

        using var limited = await PostAsync(gateway, fault: "status;code=429;retry-after=2");
        using var meanwhile = await PostAsync(gateway);
        clock.Advance(TimeSpan.FromSeconds(2));
        using var after = await PostAsync(gateway);

        Assert.Equal((_b, _a + ";HTTP 429"), (Header(limited, "x-expertrouter-expert"), Header(limited, "x-expertrouter-fallbacks")));
        Assert.Equal((_b, _a + ";capacity"), (Header(meanwhile, "x-expertrouter-expert"), Header(meanwhile, "x-expertrouter-fallbacks")));
        Assert.Equal(_a, Header(after, "x-expertrouter-expert"));
        Assert.Equal(2, _simulator.RequestCount(_a));
        var metrics = await gateway.ScrapeUntilAsync("expertrouter_capacity_provider_limited_total");
        Assert.Contains($"expertrouter_capacity_passes_total{{otel_scope_name=\"ExpertRouter.Gateway\",expert=\"{_a}\",reason=\"capacity\",stage=\"plan\"}} 1", metrics);
    }

    [Fact]
    public async Task EveryCandidateSaturated_429WithRetryAfterFromTheEarliestReset()
    {
        var clock = MidMinute();
        await using var gateway = await StartAsync([("Experts:13:Capacity:RequestsPerMinute", "2"), ("Experts:14:Capacity:RequestsPerMinute", "1")], clock);

        for (var i = 0; i < 3; i++)
        {
            using var served = await PostAsync(gateway);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var refused = await PostAsync(gateway);

        var error = await ErrorAssert.IsEnvelopeAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Contains("capacity", error.GetProperty("message").GetString());
        Assert.Equal("50", Header(refused, "Retry-After"));
        Assert.Equal($"{_a};capacity,{_b};capacity", Header(refused, "x-expertrouter-fallbacks"));
        Assert.Equal((2, 1), (_simulator.RequestCount(_a), _simulator.RequestCount(_b)));
        var metrics = await gateway.ScrapeUntilAsync("expertrouter_capacity_refusals_total");
        Assert.Contains("expertrouter_capacity_refusals_total{otel_scope_name=\"ExpertRouter.Gateway\"} 1", metrics);
        Assert.Equal(1.0, Gauge(metrics, "expertrouter_capacity_use", _a, "limit=\"requests\""));
        Assert.Equal(1.0, Gauge(metrics, "expertrouter_capacity_use", _b, "limit=\"requests\""));
    }

    [Fact]
    public async Task FirstChoiceOverCapacity_RequestLogRecordNamesItPassedOverForCapacity()
    {
        using var log = new LogFolder();
        await using var gateway = await StartAsync([("Experts:13:Capacity:RequestsPerMinute", "1"), ("RequestLog:Directory", log.Path)], MidMinute());

        using var first = await PostAsync(gateway);
        using var second = await PostAsync(gateway);

        // The record is what the learning loop and an operator read after the fact: the headers are gone by then.
        var record = await log.RecordAsync(Header(second, "x-request-id")!);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((_b, 200), (record.Expert, record.Status));
        // The shipped experts the tenant may not use are listed too (not-allowed); the quota's expert is the one that matters.
        var passed = Assert.Single(record.PassedOver!, p => p.Expert == _a);
        Assert.Equal("capacity", passed.Reason);
        Assert.Null(record.Fallbacks);
        var firstRecord = await log.RecordAsync(Header(first, "x-request-id")!);
        Assert.Equal(_a, firstRecord.Expert);
        Assert.DoesNotContain(firstRecord.PassedOver ?? [], p => p.Reason == "capacity");
    }

    [Fact]
    public async Task LatencyTarget_MovesTrafficOffAnExpertMadeSlow()
    {
        await using var gateway = await new GatewayBuilder()
            .Settings(Experts())
            .Setting("Capacity:MinLatencySamples", "3")
            .Tenant("demo", GatewayHost.DemoKey, allowed: [_a, _b], policy: ("MaxLatencyMs", "250"))
            .Tenant("patient", "sk-patient", allowed: [_a, _b])
            .StartAsync();

        for (var i = 0; i < 3; i++)
        {
            using var slow = await PostAsync(gateway, fault: "delay;ms=400");
            Assert.Equal(_a, Header(slow, "x-expertrouter-expert"));
        }

        using var moved = await PostAsync(gateway);
        using var patient = gateway.CreateClient("sk-patient");
        using var unmoved = await patient.PostAsync("/v1/chat/completions", Body());

        Assert.Equal(_b, Header(moved, "x-expertrouter-expert"));
        Assert.Equal(_a + ";latency", Header(moved, "x-expertrouter-fallbacks"));
        Assert.Equal(_a, Header(unmoved, "x-expertrouter-expert"));
        var p90 = Gauge(await gateway.ScrapeUntilAsync("expertrouter_capacity_first_token_recent"), "expertrouter_capacity_first_token_recent_milliseconds", _a, "quantile=\"0.9\"");
        Assert.InRange(p90, 400, 5_000);
    }

    private static FakeTimeProvider MidMinute() => new(new DateTimeOffset(2026, 12, 1, 12, 0, 10, TimeSpan.Zero));

    private (string, string)[] Redis(RedisTestServer server, params (string Key, string Value)[] capacity) =>
        [("Redis", server.Endpoint), .. capacity.Select(c => ($"Experts:13:Capacity:{c.Key}", c.Value))];

    private Task<GatewayHost> StartAsync((string Key, string Value)[] settings, TimeProvider clock)
    {
        var builder = new GatewayBuilder().Settings(Experts()).Tenant("demo", GatewayHost.DemoKey, allowed: [_a, _b]).Services(s => s.AddSingleton(clock));
        foreach (var (key, value) in settings)
        {
            builder.Setting(key, value);
        }

        return builder.StartAsync();
    }

    private Dictionary<string, string?> Experts()
    {
        var baseUrl = _simulator.BaseAddress.ToString().TrimEnd('/');
        return new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = _a,
            ["ExpertRouter:Experts:13:BaseUrls:0"] = baseUrl,
            ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "0.1",
            ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "0.1",
            ["ExpertRouter:Experts:14:Id"] = _b,
            ["ExpertRouter:Experts:14:BaseUrls:0"] = baseUrl,
            ["ExpertRouter:Experts:14:InputUsdPerMTok"] = "1",
            ["ExpertRouter:Experts:14:OutputUsdPerMTok"] = "1",
        };
    }

    private static async Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body() };
        if (fault is not null)
        {
            request.Headers.Add(SimulatorHeaders.Fault, fault);
        }

        return await gateway.Client.SendAsync(request);
    }

    private static StringContent Body() =>
        new("""{"model":"auto","messages":[{"role":"user","content":"How many legs has a spider?"}]}""", Encoding.UTF8, "application/json");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content)
        : null;

    /// <summary>The value of the one sample of <paramref name="metric"/> for <paramref name="expert"/> whose labels include <paramref name="label"/>.</summary>
    private static double Gauge(string metrics, string metric, string expert, string label)
    {
        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith(metric + "{", StringComparison.Ordinal)
            && l.Contains($"expert=\"{expert}\"", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
