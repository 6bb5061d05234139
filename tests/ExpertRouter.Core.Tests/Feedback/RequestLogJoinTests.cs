using System.Text.Json;
using ExpertRouter.Core.Feedback;

namespace ExpertRouter.Core.Tests.Feedback;

/// <summary>The request log read as feedback means it, and its JSON old and new.</summary>
public sealed class RequestLogJoinTests
{
    [Fact]
    public void Scored_GivesEachRequestItsLastFeedback_PerTenant()
    {
        RequestLogRecord[] log =
        [
            Request("t", "a"),
            Feedback("t", "a", 0.2),
            Request("u", "a"),
            Feedback("u", "a", 0.1),
            Feedback("t", "a", 0.9),
            Request("t", "b"),
            Feedback("t", "gone", 1),
        ];

        var scored = RequestLogJoin.Scored(log);

        Assert.Equal([("t", "a", 0.9), ("u", "a", 0.1), ("t", "b", (double?)null)], scored.Select(r => (r.Tenant, r.RequestId, r.Score)));
        Assert.All(scored, r => Assert.Equal("e", r.Expert));
    }

    [Fact]
    public void OriginalLine_StillReads_AsARequest()
    {
        const string line = """{"ts":"2026-01-01T00:00:00+00:00","request_id":"1","tenant":"t","prompt":"hi","expert":"a","router":"r","cost_usd":0.1,"latency_ms":3,"score":1}""";

        var record = JsonSerializer.Deserialize(line, RequestLogJson.Default.RequestLogRecord)!;

        Assert.Equal(("1", "hi", "a", 1.0, null), (record.RequestId, record.Prompt, record.Expert, record.Score, record.Kind));
    }

    [Fact]
    public void FeedbackLine_LeavesOutWhatItDoesNotHave()
    {
        var json = JsonSerializer.Serialize(Feedback("t", "a", 1) with { Thumbs = "up" }, RequestLogJson.Default.RequestLogRecord);

        Assert.Contains("\"kind\":\"feedback\"", json);
        Assert.Contains("\"thumbs\":\"up\"", json);
        Assert.DoesNotContain("candidates", json);
        Assert.DoesNotContain("shadow", json);
    }

    private static RequestLogRecord Request(string tenant, string id) =>
        new() { Kind = RequestLogRecord.RequestKind, Tenant = tenant, RequestId = id, Expert = "e" };

    private static RequestLogRecord Feedback(string tenant, string id, double score) =>
        new() { Kind = RequestLogRecord.FeedbackKind, Tenant = tenant, RequestId = id, Score = score };
}
