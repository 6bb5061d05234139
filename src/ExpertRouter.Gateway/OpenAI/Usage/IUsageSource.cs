namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>Something an answer passed through that has read its <c>usage</c> by the time the answer is relayed (null when it had none).</summary>
public interface IUsageSource
{
    UsageReport? Usage { get; }
}
