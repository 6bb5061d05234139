using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// A router's predicted quality for every (prompt, expert), row-major. Predicting once and sweeping λ afterwards is
/// what keeps a 21- or 41-setting sweep as cheap as one.
/// </summary>
public sealed class QualityMatrix
{
    public QualityMatrix(int prompts, int experts, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, prompts * experts);
        PromptCount = prompts;
        ExpertCount = experts;
        Values = values;
    }

    public int PromptCount { get; }

    public int ExpertCount { get; }

    public double[] Values { get; }

    public ReadOnlySpan<double> Row(int prompt) => Values.AsSpan(prompt * ExpertCount, ExpertCount);

    /// <summary>
    /// Asks the router about each record through <see cref="IRouter.EstimateQualityAsync"/>, the gateway's call. The
    /// query carries the id and task label; only the diagnostic task-label router (and the oracle) look at them.
    /// </summary>
    public static async Task<QualityMatrix> PredictAsync(
        IRouter router,
        IReadOnlyList<RoutingRecord> records,
        IReadOnlyList<ExpertDefinition> experts,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        var values = new double[records.Count * experts.Count];
        var done = 0;
        var options = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = Environment.ProcessorCount,
        };
        await Parallel.ForAsync(0, records.Count, options, async (p, token) =>
        {
            var record = records[p];
            var query = new RoutingQuery(record.Prompt) { Id = record.Id, Task = record.Task, Conversation = record.Conversation };
            var row = values.AsMemory(p * experts.Count, experts.Count);
            row.Span.Fill(double.NaN);
            await router.EstimateQualityAsync(query, experts, row, token).ConfigureAwait(false);
            var finished = Interlocked.Increment(ref done);
            if (finished % 64 == 0 || finished == records.Count)
            {
                progress?.Report((double)finished / records.Count);
            }
        }).ConfigureAwait(false);
        return new QualityMatrix(records.Count, experts.Count, values);
    }
}
