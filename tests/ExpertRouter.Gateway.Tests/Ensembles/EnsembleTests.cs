using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Gateway.Tests.Ensembles;

public sealed class EnsembleTests(EnsembleGateway fixture) : IClassFixture<EnsembleGateway>
{
    private readonly HttpClient _client = fixture.Host.Client;

    [Fact]
    public async Task Vote_OneExpertDisagrees_MajorityAnswerWinsAndUsageSumsEveryCall()
    {
        using var single = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("e-cheap"));
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (content, usage) = await EnsembleGateway.ReadAsync(response);
        var (_, singleUsage) = await EnsembleGateway.ReadAsync(single);
        Assert.Contains("\"answer\": \"42\"", content);
        Assert.Equal("e-cheap", EnsembleGateway.Header(response, "x-expertrouter-expert"));
        Assert.Equal(["e-cheap;proposer;ok", "e-mid;proposer;ok", "e-dear;proposer;ok"], EnsembleGateway.Experts(response));
        Assert.Equal("vote;vote3", EnsembleGateway.Header(response, "x-expertrouter-ensemble"));
        Assert.StartsWith("vote 2 of 3 for \"42\"", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
        Assert.False(response.Headers.Contains("x-expertrouter-partial"));
        Assert.Equal(3 * singleUsage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens").GetInt32());
        var cost = double.Parse(EnsembleGateway.Header(response, "x-expertrouter-cost-usd"), CultureInfo.InvariantCulture);
        var reserved = double.Parse(EnsembleGateway.Header(response, "x-expertrouter-reserved-usd"), CultureInfo.InvariantCulture);
        Assert.True(cost > 0);
        Assert.True(reserved >= cost, $"reserved {reserved} < spent {cost}");
    }

    [Fact]
    public async Task Vote_OneExpertFails_AggregatesTheRestAndFlagsPartialFailure()
    {
        using var client = fixture.Host.CreateClient(EnsembleGateway.FlakyKey);
        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (content, _) = await EnsembleGateway.ReadAsync(response);
        Assert.Contains("42", content);
        Assert.Equal("1 of 3 failed", EnsembleGateway.Header(response, "x-expertrouter-partial"));
        Assert.Contains("e-broken;proposer;failed(HTTP 500)", EnsembleGateway.Experts(response));
        Assert.StartsWith("vote 2 of 2", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task Vote_SlowExpertPastCallTimeout_CountsAsFailedAndTheRestAreAggregated()
    {
        using var client = fixture.Host.CreateClient(EnsembleGateway.FlakyKey);
        using var response = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote4-impatient"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2 of 4 failed", EnsembleGateway.Header(response, "x-expertrouter-partial"));
        Assert.Contains("e-slow;proposer;timeout", EnsembleGateway.Experts(response));
        Assert.StartsWith("vote 2 of 2", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task Judge_PicksTheCandidateItNames()
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/judge3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (content, _) = await EnsembleGateway.ReadAsync(response);
        Assert.Contains("\"answer\": \"41\"", content);
        Assert.Equal("e-dear", EnsembleGateway.Header(response, "x-expertrouter-expert"));
        Assert.Equal("e-judge;judge;ok", EnsembleGateway.Experts(response)[^1]);
        Assert.Equal("judge e-judge picked 3 of 3", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task Judge_PromptTemplate_ReachesJudgeWithCandidatesVerbatim_AndUnreadableVerdictKeepsTopAnswer()
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/judge-recorded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("e-cheap", EnsembleGateway.Header(response, "x-expertrouter-expert"));
        Assert.Equal("judge e-recorder verdict unreadable; top-ranked answer", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
        var judged = fixture.Recorder.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).Last();
        Assert.Equal("e-recorder", judged.GetProperty("model").GetString());
        var messages = judged.GetProperty("messages");
        Assert.True(messages.GetArrayLength() > 1, judged.ToString());
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        var user = messages[1].GetProperty("content").GetString()!;
        Assert.Contains("What is 39 + 3? Answer in JSON.", user);
        // Quotes and angle brackets arrive as written: SK's encoding of inserted values is undone by its parser.
        Assert.Contains("[2]\n{\"reasoning\": \"39 + 3 <exact>\", \"answer\": \"$42.00\"}", user);
        Assert.Contains("[3]", user);
    }

    [Fact]
    public async Task MixtureOfAgents_AggregatorWritesTheFinalAnswer_Streamed()
    {
        using var response = await _client.PostAsync("/v1/chat/completions",
            EnsembleGateway.Chat("ensemble/moa3", ""","stream":true,"stream_options":{"include_usage":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToArray();
        var text = new StringBuilder();
        foreach (var chunk in chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0))
        {
            if (chunk.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var piece))
            {
                text.Append(piece.GetString());
            }
        }

        Assert.Equal("Merged: the answer is 42, as two of three experts found.", text.ToString());
        Assert.True(chunks.Length > 3);
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.Equal("e-writer;aggregator;streaming", EnsembleGateway.Experts(response)[^1]);
        Assert.Equal(4, EnsembleGateway.Experts(response).Length);
    }

    [Theory]
    [InlineData("fan-wide", 3, "fan-out (gap ")]
    [InlineData("fan-narrow", 1, "single (gap ")]
    public async Task FanOut_CallsTopKOnlyWhenTopTwoAreWithinMargin(string ensemble, int calls, string decision)
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/" + ensemble));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(calls, EnsembleGateway.Experts(response).Length);
        Assert.StartsWith(decision, EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
        Assert.Equal("e-cheap", EnsembleGateway.Header(response, "x-expertrouter-expert"));
    }

    [Fact]
    public async Task Cascade_RouterVerifierTrustsCheapExpert_OneCall()
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/cascade-trusting"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["e-cheap;proposer;ok"], EnsembleGateway.Experts(response));
    }

    [Fact]
    public async Task Cascade_RouterVerifierDoubts_EscalatesToDearestWithoutPayingForTheOthers()
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/cascade-doubting"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["e-dear;proposer;ok"], EnsembleGateway.Experts(response));
        Assert.Contains("e-cheap passed over", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task Cascade_JudgeRejects_EscalatesStepByStep()
    {
        using var response = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/cascade-judged"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["e-cheap;proposer;ok", "e-judge;verifier;ok", "e-mid;proposer;ok", "e-judge;verifier;ok", "e-dear;proposer;ok"],
            EnsembleGateway.Experts(response));
        Assert.Equal("e-dear", EnsembleGateway.Header(response, "x-expertrouter-expert"));
        Assert.Equal("cascade: e-cheap rejected; e-mid rejected; e-dear accepted", EnsembleGateway.Header(response, "x-expertrouter-ensemble-decision"));
    }

    [Fact]
    public async Task TenantEnsemblePolicy_TurnsAutoIntoItsDefaultEnsemble_OtherTenantsStaySingleRouted()
    {
        using var client = fixture.Host.CreateClient(EnsembleGateway.AggregatingKey);
        using var aggregated = await client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("auto"));
        using var single = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("auto"));

        Assert.Equal(HttpStatusCode.OK, aggregated.StatusCode);
        Assert.Equal("vote;tenant-default", EnsembleGateway.Header(aggregated, "x-expertrouter-ensemble"));
        Assert.Equal(3, EnsembleGateway.Experts(aggregated).Length);
        Assert.StartsWith("vote 2 of 3", EnsembleGateway.Header(aggregated, "x-expertrouter-ensemble-decision"));
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.False(single.Headers.Contains("x-expertrouter-ensemble"));
    }

    [Fact]
    public async Task Models_ListsEnsembles_AndUnknownEnsembleIs404_ToolsAre400()
    {
        using var models = await _client.GetAsync("/v1/models");
        using var unknown = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/nope"));
        using var tools = await _client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3",
            ""","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"""));

        Assert.Contains("\"ensemble/vote3\"", await models.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tools.StatusCode);
        Assert.Contains("model_not_supported", await tools.Content.ReadAsStringAsync());
    }
}
