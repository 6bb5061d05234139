using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;
using static ExpertRouter.Gateway.Tests.RequestLog.RequestLogGateway;

namespace ExpertRouter.Gateway.Tests.Endpoints;

/// <summary><c>POST /v1/feedback</c>: scores and thumbs land in the log, the last wins, and only the requesting tenant may score.</summary>
public sealed class FeedbackTests(RequestLogGateway gateway) : IClassFixture<RequestLogGateway>
{
    [Fact]
    public async Task Score_IsAppendedToTheLog_AsAFeedbackRecord()
    {
        var (id, _) = await gateway.SendAsync(StoreKey, "Score me.");

        using var response = await PostAsync(StoreKey, $$"""{"request_id":"{{id}}","score":0.8,"comment":"close enough","metric":"correctness"}""");
        var record = await gateway.Log.RecordAsync(id, RequestLogRecord.FeedbackKind);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(("feedback", id, 0.8), (body.RootElement.GetProperty("object").GetString(), body.RootElement.GetProperty("request_id").GetString(),
            body.RootElement.GetProperty("score").GetDouble()));
        Assert.Equal(("store", 0.8, "close enough", "correctness"), (record.Tenant, record.Score, record.Comment, record.Metric));
        // No expert on a feedback line: the feedback importer reads only lines that pair a score with an expert.
        Assert.Equal("", record.Expert);
    }

    [Theory]
    [InlineData("up", 1.0)]
    [InlineData("down", 0.0)]
    public async Task Thumbs_AreScoresOfOneAndZero(string thumbs, double score)
    {
        var (id, _) = await gateway.SendAsync(HashKey, "Thumb me.");

        using var response = await PostAsync(HashKey, $$"""{"request_id":"{{id}}","thumbs":"{{thumbs}}"}""");
        var record = await gateway.Log.RecordAsync(id, RequestLogRecord.FeedbackKind);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((thumbs, score), (record.Thumbs, record.Score));
    }

    [Fact]
    public async Task SecondScore_Wins_AndBothStayInTheLog()
    {
        var (id, _) = await gateway.SendAsync(StoreKey, "Change your mind.");
        await gateway.Log.RecordAsync(id);

        using (var first = await PostAsync(StoreKey, $$"""{"request_id":"{{id}}","score":0.2}"""))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await gateway.Log.RecordAsync(id, RequestLogRecord.FeedbackKind);
        using var second = await PostAsync(StoreKey, $$"""{"request_id":"{{id}}","score":0.9}""");
        await LogFolder.UntilAsync(() => gateway.Log.Requests().Count(r => r.RequestId == id && r.Kind == "feedback") == 2 ? "" : null, "two feedback records");

        var records = gateway.Log.Requests().Where(r => r.RequestId == id).ToList();
        var joined = Assert.Single(RequestLogJoin.Scored(records));
        Assert.Equal([0.2, 0.9], records.Where(r => r.Kind == "feedback").Select(r => r.Score!.Value));
        Assert.Equal(0.9, joined.Score);
        Assert.Equal("log-cheap", joined.Expert);
    }

    [Fact]
    public async Task AnotherTenantsRequest_IsNotFound_JustLikeAnUnknownOne()
    {
        var (id, _) = await gateway.SendAsync(StoreKey, "Mine, not yours.");
        await gateway.Log.RecordAsync(id);

        using var crossTenant = await PostAsync(HashKey, $$"""{"request_id":"{{id}}","score":1}""");
        using var unknown = await PostAsync(HashKey, """{"request_id":"req-never-sent","score":1}""");

        var cross = await ErrorAssert.IsEnvelopeAsync(crossTenant, HttpStatusCode.NotFound, "request_not_found");
        var none = await ErrorAssert.IsEnvelopeAsync(unknown, HttpStatusCode.NotFound, "request_not_found");
        Assert.Equal(none.GetProperty("message").GetString()!.Replace("req-never-sent", id), cross.GetProperty("message").GetString());
        Assert.DoesNotContain(gateway.Log.Requests(), r => r.RequestId == id && r.Kind == "feedback");
    }

    [Theory]
    [InlineData("{", null, "invalid_json")]
    [InlineData("[1]", null, "invalid_type")]
    [InlineData("""{"score":0.5}""", "request_id", "missing_required_parameter")]
    [InlineData("""{"request_id":"x"}""", "score", "missing_required_parameter")]
    [InlineData("""{"request_id":"x","score":1.5}""", "score", "invalid_value")]
    [InlineData("""{"request_id":"x","score":"high"}""", "score", "invalid_type")]
    [InlineData("""{"request_id":"x","thumbs":"sideways"}""", "thumbs", "invalid_value")]
    [InlineData("""{"request_id":"x","score":1,"thumbs":"up"}""", "thumbs", "invalid_value")]
    [InlineData("""{"request_id":"x","scroe":1}""", "scroe", "unknown_parameter")]
    [InlineData("""{"request_id":7,"score":1}""", "request_id", "invalid_type")]
    public async Task MalformedFeedback_Is400_InOpenAIsShape(string body, string? param, string code)
    {
        using var response = await PostAsync(StoreKey, body);

        var error = await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Feedback_WithoutAKey_Is401()
    {
        using var client = gateway.Host.CreateClient(apiKey: null);

        using var response = await client.PostAsync("/v1/feedback", new StringContent("""{"request_id":"x","score":1}""", Encoding.UTF8, "application/json"));

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    private async Task<HttpResponseMessage> PostAsync(string key, string body)
    {
        using var client = gateway.Host.CreateClient(key);
        return await client.PostAsync("/v1/feedback", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}
