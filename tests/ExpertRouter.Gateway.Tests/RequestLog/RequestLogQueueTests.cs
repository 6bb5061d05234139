using System.Diagnostics.Metrics;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.RequestLog;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>The queue between the request path and the log: it never waits, and what it cannot take is dropped and counted.</summary>
public sealed class RequestLogQueueTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void FullQueue_DropsAndCounts()
    {
        var (queue, metrics) = Queue(new RequestLogOptions { Directory = "/unused", QueueCapacity = 2 });

        var accepted = Enumerable.Range(0, 5).Select(i => queue.TryRecord(Entry("t", "id-" + i))).ToArray();

        Assert.Equal([true, true, false, false, false], accepted);
        Assert.Equal(3, metrics.DroppedTotal);
    }

    [Fact]
    public async Task DisabledLog_RecordsNothing_AndCountsNoDrop()
    {
        var (queue, metrics) = Queue(new RequestLogOptions());

        queue.Remember("t", "id");

        Assert.False(queue.TryRecord(Entry("t", "id")));
        Assert.Equal(0, metrics.DroppedTotal);
        Assert.Equal(IndexLookup.NotFound, await queue.Index.ContainsAsync("t", "id", CancellationToken.None));
    }

    [Fact]
    public async Task Index_IsPerTenant_AndBounded()
    {
        var index = new RequestIndex(new RequestLogOptions { IndexCapacity = 3 }, TimeProvider.System, null);

        for (var i = 0; i < 10; i++)
        {
            index.Add("a", "id-" + i);
        }

        Assert.Equal(IndexLookup.Found, await index.ContainsAsync("a", "id-9", CancellationToken.None));
        Assert.Equal(IndexLookup.NotFound, await index.ContainsAsync("a", "id-0", CancellationToken.None));
        Assert.Equal(IndexLookup.NotFound, await index.ContainsAsync("b", "id-9", CancellationToken.None));
    }

    private (RequestLogQueue, RequestLogMetrics) Queue(RequestLogOptions options)
    {
        var metrics = new RequestLogMetrics(_services.GetRequiredService<IMeterFactory>());
        var index = new RequestIndex(options, TimeProvider.System, null);
        return (new RequestLogQueue(Options.Create(new GatewayOptions { RequestLog = options }), index, metrics), metrics);
    }

    private static RequestLogEntry Entry(string tenant, string id)
    {
        var request = OpenAIRequestParser.Parse("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), OpenAIEndpoint.ChatCompletions).Request!;
        return new RequestLogEntry(DateTimeOffset.UnixEpoch, id, new TenantPolicy { Id = tenant }, request, null, null, [], null, null, 200, 1, null);
    }
}
