using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>Where the log's records go when the sink stalls, the directory cannot be written, Redis is there, or Redis is down.</summary>
public sealed class RequestLogSinkTests : IDisposable
{
    private readonly LogFolder _log = new();

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task StalledSink_NeverHoldsARequest_AndTheFullQueueDropsAndCounts()
    {
        var sink = new StalledSink();
        await using var gateway = await new GatewayBuilder()
            .Setting("RequestLog:Directory", _log.Path)
            .Setting("RequestLog:QueueCapacity", "4")
            .Services(s => s.AddSingleton<IRequestLogSink>(sink))
            .StartAsync();

        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await gateway.Client.PostAsync("/v1/chat/completions", Chat("gpt-4o-mini-2024-07-18"));
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var metrics = gateway.Services.GetRequiredService<RequestLogMetrics>();
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"A request took {slowest} with the log's sink stalled.");
        // The worker runs on its own schedule and a record is queued after its response is sent, so on a busy machine
        // both may trail the last response: wait for them, within a bound, instead of reading them at once.
        await sink.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await LogFolder.UntilAsync(() => metrics.DroppedTotal >= 10 ? "" : null, "ten dropped records");
        // One batch is stuck in the sink and four records wait behind it: the rest were dropped, and counted.
        Assert.InRange(metrics.DroppedTotal, 10, 19);
        Assert.Contains("expertrouter_requestlog_dropped_total", await gateway.ScrapeUntilAsync("expertrouter_requestlog_dropped_total"));
    }

    [Fact]
    public async Task UnwritableDirectory_FailsStartUp_NamingIt()
    {
        // A path under a plain file cannot be created by anyone, root included.
        var file = Path.Combine(_log.Path, "not-a-directory");
        Directory.CreateDirectory(_log.Path);
        await File.WriteAllTextAsync(file, "");
        var directory = Path.Combine(file, "logs");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new GatewayBuilder().Setting("RequestLog:Directory", directory).StartAsync());

        Assert.Contains("ExpertRouter:RequestLog:Directory", error.Message);
        Assert.Contains(directory, error.Message);
    }

    [Fact]
    public async Task RedisDown_RecordsGoToTheFiles_AndTheFallbackIsCounted()
    {
        await using var gateway = await new GatewayBuilder()
            .Setting("RequestLog:Directory", _log.Path)
            .Setting("Redis", $"127.0.0.1:{ClosedPort()},connectTimeout=500")
            .StartAsync();
        var id = await SendAsync(gateway);

        var record = await _log.RecordAsync(id);

        Assert.Equal("demo", record.Tenant);
        Assert.True(gateway.Services.GetRequiredService<RequestLogMetrics>().FellBackTotal >= 1);
    }

    [RedisStreamsFact]
    public async Task Redis_TakesTheRecords_InItsStream_AndIndexesTheRequestForFeedback()
    {
        using var server = RedisStreamServer.Start();
        var stream = "er:log:test:" + Guid.NewGuid().ToString("N");
        await using var gateway = await new GatewayBuilder()
            .Setting("RequestLog:Directory", _log.Path)
            .Setting("RequestLog:RequestStream", stream)
            .Setting("Redis", server.Endpoint)
            .StartAsync();
        using var redis = ConnectionMultiplexer.Connect(RedisTestServer.Options(server.Endpoint));
        var id = await SendAsync(gateway);

        var entry = await LogFolder.UntilAsync(
            () => redis.GetDatabase().StreamRange(stream).Where(e => ((string?)e["json"])!.Contains(id)).Select(e => new[] { e }).FirstOrDefault(),
            "the stream entry");
        var fields = entry[0];
        var record = JsonSerializer.Deserialize((string)fields["json"]!, RequestLogJson.Default.RequestLogRecord)!;

        Assert.Equal(("demo", "request"), ((string?)fields["tenant"], (string?)fields["kind"]));
        Assert.Equal(id, record.RequestId);
        Assert.Empty(_log.Files("requests"));
        await LogFolder.UntilAsync(() => redis.GetDatabase().KeyExists(RequestIndex.Key("demo", id)) ? "" : null, "the request's index key");
        Assert.True(redis.GetDatabase().KeyTimeToLive(RequestIndex.Key("demo", id)) > TimeSpan.FromHours(100));
    }

    internal static StringContent Chat(string model, string prompt = "hello") =>
        new($$"""{"model":"{{model}}","messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]}""", Encoding.UTF8, "application/json");

    private static async Task<string> SendAsync(GatewayHost gateway)
    {
        using var response = await gateway.Client.PostAsync("/v1/chat/completions", Chat("gpt-4o-mini-2024-07-18"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-request-id").Single();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A sink that takes a batch and never finishes writing it, whatever the token says.</summary>
    private sealed class StalledSink : IRequestLogSink
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask WriteAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            return new ValueTask(new TaskCompletionSource().Task);
        }
    }
}
