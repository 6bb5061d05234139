using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.RequestLog;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>An explored request as a routing-data record, holding of its prompt what the tenant's policy allows.</summary>
internal static class ExplorationRecords
{
    public static ExplorationRecord Build(
        ExplorationJob job, IReadOnlyDictionary<string, ExplorationOutcome> outcomes, IReadOnlyDictionary<string, double> selectionProbabilities, string judge, string? reference, double costUsd)
    {
        var prompts = job.Tenant.Logging.Prompts;
        var id = "ex-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(job.Tenant.Id + ":" + job.RequestId)))[..16];
        return new ExplorationRecord
        {
            Id = id,
            Task = job.Tenant.Id,
            Split = SplitOf(id),
            Prompt = prompts == PromptLogging.Store ? job.Request.Prompt : "",
            Reference = prompts == PromptLogging.Store ? reference : null,
            Outcomes = outcomes,
            SamplingProbability = job.Tenant.Exploration.Rate,
            // The uniformly drawn experts' probability, for readers of the single number; each expert's is beside it.
            SelectionProbability = selectionProbabilities.Values.DefaultIfEmpty(0).Min(),
            SelectionProbabilities = selectionProbabilities,
            Timestamp = job.At,
            Tenant = job.Tenant.Id,
            RequestId = job.RequestId,
            Served = job.Served.Expert.Id,
            Router = job.Plan.Router,
            RouterVersion = job.Plan.RouterVersion,
            Judge = judge,
            JudgedBy = reference is null ? "rubric" : "reference",
            PromptSha256 = prompts == PromptLogging.Off ? null : RequestRecordBuilder.PromptSha256(job.Request.Prompt),
            CostUsd = costUsd,
        };
    }

    /// <summary>The shared routing data's split rule (its importers' <c>SplitOf</c>): 20% test, 10% dev, 70% train, by a hash of benchmark and id.</summary>
    internal static string SplitOf(string id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ExplorationRecord.BenchmarkName + ":" + id));
        var h = ((uint)hash[0] << 24) | ((uint)hash[1] << 16) | ((uint)hash[2] << 8) | hash[3];
        return (h % 10) switch
        {
            0 or 1 => "test",
            2 => "dev",
            _ => "train",
        };
    }
}
