using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Labelling;

/// <summary>A prompt to label: where it came from, its reference when it has one, and what it looked like before.</summary>
internal sealed record LabelPrompt(string Id, string Benchmark, string Task, string Split, string Prompt, string? Reference)
{
    /// <summary>Recorded output tokens per model, when the source has outcomes (for the cost estimate).</summary>
    public IReadOnlyDictionary<string, int> RecordedOutputTokens { get; init; } = new Dictionary<string, int>();

    /// <summary>Scored by a reference extractor (gsm8k, MATH, CRUXEval, MMLU-Pro with a reference), else by the judge.</summary>
    public bool HasExtractor => Reference is not null && ReferenceScoring.CanScore(Benchmark, Task);
}
