using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class CacheSpanTests
{
    [Fact]
    public async Task CacheSpan_RecordsMissThenHit_AndEndsBeforeForwarding()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayMetrics.MeterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var gateway = await GatewayBuilder.StartAsync();
        var ids = new[] { "span-test-" + Guid.NewGuid().ToString("N"), "span-test-" + Guid.NewGuid().ToString("N") };

        foreach (var id in ids)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini-2024-07-18","temperature":0,"messages":[{"role":"user","content":"span {{ids[0]}}"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-request-id", id);
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var cacheSpans = spans.Where(s => s.OperationName == "cache" && ids.Contains(s.GetTagItem("expertrouter.request_id") as string)).ToArray();
        Assert.Equal(["miss", "hit"], ids.Select(id => cacheSpans.Single(s => (string)s.GetTagItem("expertrouter.request_id")! == id).GetTagItem("expertrouter.cache.result")));
        var miss = cacheSpans.Single(s => (string)s.GetTagItem("expertrouter.cache.result")! == "miss");
        Assert.DoesNotContain(spans, s => s.OperationName == "upstream" && s.ParentSpanId == miss.SpanId);
    }
}
