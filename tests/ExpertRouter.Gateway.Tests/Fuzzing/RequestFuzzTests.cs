using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Fuzzing;

[CollectionDefinition(nameof(RequestFuzzTests), DisableParallelization = true)]
public sealed class FuzzCollection;

/// <summary>
/// A bounded, seeded fuzz run against the real gateway on loopback. Hostile input must end as a client error in
/// OpenAI's envelope, never a 5xx, and must not leave memory behind. Runs alone so the memory reading is its own.
/// </summary>
[Collection(nameof(RequestFuzzTests))]
public sealed class RequestFuzzTests
{
    private const int Seed = 20_261_123;
    private const int MaxBodyBytes = 16_384;
    private const int WarmUpRequests = 7_500;
    private const int RoundRequests = 5_000;
    private const int MaxRounds = 3;
    private const long QuietRoundBytes = 4L * 1024 * 1024;

    [Fact]
    public async Task HostileRequests_NoServerError_EnvelopeOnEvery4xx_MemoryFlat()
    {
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?> { ["ExpertRouter:MaxRequestBodyBytes"] = $"{MaxBodyBytes}" });
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        var factory = new FuzzRequestFactory(Seed, MaxBodyBytes);
        var problems = new ConcurrentQueue<string>();

        // Pools (Kestrel blocks, connections, ArrayPool buckets, JIT tiers) fill during the first few thousand
        // requests and then stay put; a leak keeps growing. So warm up, then accept the first quiet round.
        await SendAllAsync(client, factory.Create(WarmUpRequests).ToArray(), problems);
        var growths = new List<long>();
        var families = new HashSet<string>();
        for (var round = 0; round < MaxRounds && (growths.Count == 0 || growths[^1] >= QuietRoundBytes); round++)
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var requests = factory.Create(RoundRequests).ToArray();
            families.UnionWith(requests.Select(r => r.Family));
            await SendAllAsync(client, requests, problems);
            growths.Add(GC.GetTotalMemory(forceFullCollection: true) - before);
        }

        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Assert.True(families.Count == FuzzRequestFactory.Families, "every family of hostile input was generated");
        using var alive = await client.GetAsync("/healthz");
        Assert.True(alive.IsSuccessStatusCode);
        Assert.True(growths[^1] < QuietRoundBytes,
            $"managed memory kept growing: {string.Join(", ", growths.Select(g => $"{g / 1024} KiB"))} over rounds of {RoundRequests:N0} requests");
    }

    private static Task SendAllAsync(HttpClient client, FuzzRequest[] requests, ConcurrentQueue<string> problems) =>
        Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, cancellation) =>
        {
            using var message = ToMessage(fuzz);
            using var response = await client.SendAsync(message, cancellation);
            var body = await response.Content.ReadAsByteArrayAsync(cancellation);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                problems.Enqueue($"{fuzz.Family} {fuzz.Method} {fuzz.Path}: {status}");
            }
            else if (status >= 400 && fuzz.Method != "HEAD" && ReachesV1(fuzz.Path) && !IsEnvelope(body))
            {
                problems.Enqueue($"{fuzz.Family} {fuzz.Method} {fuzz.Path}: {status} without an OpenAI error envelope");
            }
        });

    /// <summary>
    /// Whether the gateway's /v1 surface sees the path at all: Kestrel answers an encoded NUL itself (400, before any
    /// middleware), and resolves dot segments, so /v1/%2e%2e/... is no longer a /v1 path.
    /// </summary>
    private static bool ReachesV1(string path) =>
        path.StartsWith("/v1", StringComparison.Ordinal) && !path.Contains("%00", StringComparison.Ordinal) && !path.Contains("%2e%2e", StringComparison.Ordinal);

    private static HttpRequestMessage ToMessage(FuzzRequest fuzz)
    {
        var message = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Body is not null)
        {
            message.Content = new ByteArrayContent(fuzz.Body);
            if (fuzz.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        if (fuzz.Authenticated)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.DemoKey);
        }

        foreach (var (name, value) in fuzz.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    private static bool IsEnvelope(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("message", out _) && error.TryGetProperty("type", out _)
                && error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
