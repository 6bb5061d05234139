using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>Turns a completed request into its log record, keeping of the prompt only what the tenant's policy allows.</summary>
internal static class RequestRecordBuilder
{
    public static RequestLogRecord Build(RequestLogEntry entry, LoggedShadow? shadow)
    {
        var request = entry.Request;
        var plan = entry.Plan;
        var prompts = entry.Tenant.Logging.Prompts;
        var hit = entry.Cache is { IsHit: true } cache ? cache : null;
        var expert = entry.Answered?.Expert.Id ?? hit?.Expert ?? "";
        double? predicted = null;
        List<LoggedCandidate>? candidates = null;
        if (plan is not null)
        {
            candidates = new List<LoggedCandidate>(plan.Ranking.Count);
            foreach (var score in plan.Ranking)
            {
                candidates.Add(new LoggedCandidate(score.Expert.Id, Finite(score.PredictedQuality), score.ExpectedCostUsd));
                if (score.Expert.Id == expert)
                {
                    predicted = Finite(score.PredictedQuality);
                }
            }
        }

        return new RequestLogRecord
        {
            Kind = RequestLogRecord.RequestKind,
            Timestamp = entry.At,
            RequestId = entry.RequestId,
            Tenant = entry.Tenant.Id,
            Prompt = prompts == PromptLogging.Store ? request.Prompt : "",
            PromptSha256 = prompts == PromptLogging.Off ? null : PromptSha256(request.Prompt),
            PromptLogging = Name(prompts),
            Endpoint = request.Endpoint == OpenAIEndpoint.Embeddings ? "embeddings" : "chat",
            Model = request.Model,
            Stream = request.Stream,
            Router = plan?.Router ?? "",
            RouterVersion = plan?.RouterVersion,
            Ensemble = plan?.Ensemble?.Name,
            Chosen = plan is { Fallbacks.Count: > 0 } ? plan.First.Expert.Id : null,
            Candidates = candidates,
            Expert = expert,
            PredictedQuality = predicted,
            Fallbacks = entry.Failed.Count == 0 ? null : [.. entry.Failed.Select(a => new LoggedFallback(a.Expert, a.Reason))],
            PassedOver = plan is not { PassedOver.Count: > 0 } ? null : [.. plan.PassedOver.Select(p => new LoggedFallback(p.Expert, p.Reason.Name()))],
            PromptTokens = (int?)(entry.Usage?.PromptTokens ?? hit?.PromptTokens),
            OutputTokens = (int?)(entry.Usage?.CompletionTokens ?? hit?.CompletionTokens),
            CostUsd = entry.Usage?.CostUsd ?? 0,
            LatencyMs = Math.Round(entry.LatencyMs, 3),
            Status = entry.Status,
            Cache = entry.Cache?.Result,
            Shadow = shadow,
            ExplorationRate = entry.ExplorationRate,
        };
    }

    /// <summary>Lower-case hex SHA-256 of the prompt's UTF-8 bytes: the same prompt hashes alike in every tenant's log and in offline data.</summary>
    public static string PromptSha256(string prompt) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)));

    public static string Name(PromptLogging prompts) => prompts switch
    {
        PromptLogging.Store => "store",
        PromptLogging.Off => "off",
        _ => "hash",
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
