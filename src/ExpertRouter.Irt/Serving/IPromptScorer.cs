namespace ExpertRouter.Irt.Serving;

/// <summary>Scores a batch of prompts: P(answers well) per router expert, row-major (prompts × experts).</summary>
public interface IPromptScorer : IDisposable
{
    int Experts { get; }

    /// <summary>The execution provider actually in use ("Cpu" or "Cuda").</summary>
    string Provider { get; }

    void Score(IReadOnlyList<string> prompts, Span<float> probabilities);
}
