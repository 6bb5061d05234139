using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// Explores one sampled request: reserves its worst case from the tenant's exploration budget, sends the same request
/// to the selected candidates through <see cref="ChatCaller"/>, has the tenant's judge score every answer (the served
/// one included), settles each call in the tenant's ledger as <c>exploration/&lt;expert&gt;</c>, and logs the outcomes
/// as a routing-data record. It works for the job's tenant only: its policy, its budget, its ledger, its log records.
/// </summary>
public sealed partial class Explorer(
    ChatCaller chat,
    ExpertCatalog catalog,
    ITenantAccounting accounting,
    ExplorationBudget budget,
    ExplorationSampler sampler,
    RouterRegistry routers,
    RequestLogQueue log,
    ExplorationMetrics metrics,
    IOptions<GatewayOptions> options,
    ILogger<Explorer> logger)
{
    public const string LedgerPrefix = "exploration/";

    private readonly ExplorationOptions _options = options.Value.Exploration;

    public async Task RunAsync(ExplorationJob job, CancellationToken cancellationToken)
    {
        var tenant = job.Tenant;
        var policy = tenant.Exploration;
        if (ServedText(job) is not { } served || policy.Judge is null || !catalog.TryGet(policy.Judge, out var judge))
        {
            Skip(job, "no_answer");
            return;
        }

        var body = (JsonObject)JsonNode.Parse(job.Request.Body.Span)!;
        var reference = (body["metadata"] as JsonObject)?["reference"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        var candidates = job.Plan.Ranking
            .Where(s => s.Expert.Id != job.Served.Expert.Id && (policy.Experts.Count == 0 || policy.Experts.Contains(s.Expert.Id, StringComparer.Ordinal)))
            .ToArray();
        // The router has no opinion (NaN) of an expert it was not trained on, and a weak one of an expert it learned
        // from few prompts: those labels are what retraining lacks.
        var scarce = ExplorationSampler.ScarcelyLabelled(routers.LabelsOf(job.Plan.Router));
        var wanted = candidates.Where(s => double.IsNaN(s.PredictedQuality) || scarce.Contains(s.Expert.Id)).Select(s => s.Expert.Id).ToHashSet(StringComparer.Ordinal);
        var selection = sampler.Select(candidates.Select(s => s.Expert).ToArray(), policy.MaxExperts, e => wanted.Contains(e.Id));
        var explored = selection.Experts;
        var maxOutput = Math.Min(job.Request.MaxOutputTokens ?? _options.MaxOutputTokens, _options.MaxOutputTokens);
        var question = TokenEstimate.FromText(job.Request.Prompt) + TokenEstimate.FromText(reference ?? "");
        var worst = explored.Sum(e => e.CostUsd(2 * job.Request.PromptTokens + 64, maxOutput))
            + (explored.Count * JudgeCost(judge, question, maxOutput)) + JudgeCost(judge, question, TokenEstimate.FromText(served));
        if (explored.Count == 0 || budget.TryReserve(tenant.Id, policy.DailyBudgetUsd ?? 0, worst) is not { } hold)
        {
            Skip(job, explored.Count == 0 ? "no_candidates" : "over_budget");
            return;
        }

        var spent = 0.0;
        try
        {
            var scope = new ChatCallScope(job.RequestId, tenant.Id, TimeSpan.FromSeconds(_options.CallTimeoutSeconds));
            Cap(body, maxOutput);
            var answers = await Task.WhenAll(explored.Select(e => PaidCallAsync(tenant, e, e.CostUsd(2 * job.Request.PromptTokens + 64, maxOutput),
                ct => chat.CompleteAsync(scope, e, (JsonObject)body.DeepClone(), ct), cancellationToken)));
            var texts = answers.OfType<ExpertCallResult>().Where(a => a.Succeeded).Select(a => new Answer(a.Expert.Id, a.Content, a.CompletionTokens))
                .Prepend(new Answer(job.Served.Expert.Id, served, TokenEstimate.FromText(served))).ToArray();
            var verdicts = await Task.WhenAll(texts.Select(t => PaidCallAsync(tenant, judge, JudgeCost(judge, question, TokenEstimate.FromText(t.Content)),
                ct => chat.CompleteAsync(scope, judge, JudgeRubric.Request(job.Request.Prompt, t.Content, reference), ct), cancellationToken)));
            spent = answers.Concat(verdicts).Sum(r => r?.CostUsd ?? 0);
            var outcomes = new Dictionary<string, ExplorationOutcome>(StringComparer.Ordinal);
            for (var i = 0; i < texts.Length; i++)
            {
                if (verdicts[i] is { Succeeded: true } verdict && JudgeRubric.Score(verdict.Content) is { } score)
                {
                    outcomes[texts[i].Expert] = new ExplorationOutcome
                    {
                        Score = score,
                        OutputTokensEst = texts[i].CompletionTokens,
                        Response = tenant.Logging.Prompts == PromptLogging.Store ? Cut(texts[i].Content) : null,
                    };
                }
            }

            log.TryAppend(ExplorationRecords.Build(job, outcomes, selection.Probabilities, judge.Id, reference, spent));
            metrics.Outcome(tenant.Id, "explored");
            metrics.Cost(tenant.Id, spent);
            Log.Explored(logger, job.RequestId, tenant.Id, explored.Count, outcomes.Count, spent);
        }
        finally
        {
            budget.Settle(hold, spent);
        }
    }

    /// <summary>One call charged to the tenant as <c>exploration/&lt;expert&gt;</c>: admitted against its budget, settled with what it used.</summary>
    private async Task<ExpertCallResult?> PaidCallAsync(
        TenantPolicy tenant, ExpertDefinition expert, double maxCostUsd, Func<CancellationToken, Task<ExpertCallResult>> call, CancellationToken cancellationToken)
    {
        // No rate limits: exploration must not use up the requests per minute the tenant's own traffic needs.
        var admission = await accounting.TryAdmitAsync(new AdmissionRequest
        {
            TenantId = tenant.Id,
            MaxCostUsd = maxCostUsd,
            DailyBudgetUsd = tenant.Budget.DailyUsd,
            MonthlyBudgetUsd = tenant.Budget.MonthlyUsd,
            EnforceBudget = tenant.Budget.Mode == BudgetMode.Hard,
        }, cancellationToken);
        if (admission.Reservation is not { } reservation)
        {
            return null;
        }

        ExpertCallResult? result = null;
        try
        {
            result = await call(cancellationToken);
            return result;
        }
        finally
        {
            if (result is { PromptTokens: > 0 } or { CompletionTokens: > 0 })
            {
                await accounting.SettleAsync(
                    reservation, new SettledUsage(LedgerPrefix + expert.Id, result.PromptTokens, result.CompletionTokens, result.CostUsd), CancellationToken.None);
            }
            else
            {
                await accounting.ReleaseAsync(reservation, CancellationToken.None);
            }
        }
    }

    /// <summary>The served answer's text, from the response as the client got it; null when it holds none.</summary>
    private static string? ServedText(ExplorationJob job)
    {
        var completion = job.Streamed ? CompletionAssembler.FromEventStream(job.ServedResponse) : CompletionAssembler.FromJson(job.ServedResponse);
        if (completion is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(completion.Body);
        var message = document.RootElement.GetProperty("choices")[0].TryGetProperty("message", out var m) ? m : default;
        return message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;
    }

    /// <summary>The explored calls answer in one piece, within the exploration's output bound.</summary>
    private static void Cap(JsonObject body, int maxOutput)
    {
        body.Remove("stream_options");
        body.Remove("n");
        body.Remove("max_completion_tokens");
        body["max_tokens"] = maxOutput;
    }

    private static double JudgeCost(ExpertDefinition judge, int question, int answer) =>
        judge.CostUsd(2 * (question + answer) + JudgeRubric.OverheadTokens, JudgeRubric.MaxOutputTokens);

    /// <summary>Stored responses are cut to 4,000 characters, as the shared routing data's importers cut them.</summary>
    private static string Cut(string text) => text.Length <= 4000 ? text : text[..4000];

    private readonly record struct Answer(string Expert, string Content, int CompletionTokens);

    private void Skip(ExplorationJob job, string reason)
    {
        metrics.Outcome(job.Tenant.Id, reason);
        Log.Skipped(logger, job.RequestId, job.Tenant.Id, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ExplorationRecorded, Level = LogLevel.Debug, Message = "Request {RequestId} of tenant {Tenant} explored with {Experts} experts; {Scored} answers scored for {CostUsd} USD.")]
        public static partial void Explored(ILogger logger, string requestId, string tenant, int experts, int scored, double costUsd);

        [LoggerMessage(EventId = LogEvents.ExplorationSkipped, Level = LogLevel.Debug, Message = "Request {RequestId} of tenant {Tenant} was sampled but not explored: {Reason}.")]
        public static partial void Skipped(ILogger logger, string requestId, string tenant, string reason);
    }
}
