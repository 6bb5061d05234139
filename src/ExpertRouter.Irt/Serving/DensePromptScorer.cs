using ExpertRouter.Irt.Encoding;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>A BERT-family encoder followed by the IRT head graph, whose input is the pooled embedding.</summary>
public sealed class DensePromptScorer : IPromptScorer
{
    private readonly BertOnnxEncoder _encoder;
    private readonly InferenceSession _head;
    private readonly string[] _inputNames = [IrtGraphNames.EmbeddingInput];
    private readonly string[] _outputNames = [IrtGraphNames.ProbabilitiesOutput];
    // Read-only during a run, so one serves every run (ONNX Runtime takes it as const).
    private readonly RunOptions _runOptions = new();

    public DensePromptScorer(BertOnnxEncoder encoder, InferenceSession head, int experts, string provider)
    {
        OnnxContract.Require(head, _inputNames, _outputNames[0], experts);
        _encoder = encoder;
        _head = head;
        Experts = experts;
        Provider = provider;
    }

    public int Experts { get; }

    public string Provider { get; }

    public void Score(IReadOnlyList<string> prompts, Span<float> probabilities)
    {
        var embeddings = new float[prompts.Count * _encoder.HiddenSize];
        _encoder.Encode(prompts, embeddings);
        using var value = OrtValue.CreateTensorValueFromMemory(embeddings, [prompts.Count, _encoder.HiddenSize]);
        using var outputs = _head.Run(_runOptions, _inputNames, [value], _outputNames);
        outputs[0].GetTensorDataAsSpan<float>()[..(prompts.Count * Experts)].CopyTo(probabilities);
    }

    /// <summary>The encoder runs with the batch (a graph of one's own is no cache embedder, so nothing is shared).</summary>
    public EncodedPrompt Encode(string prompt) => new PromptText(prompt);

    public void Score(IReadOnlyList<EncodedPrompt> prompts, Span<float> probabilities) =>
        Score(prompts.Select(p => p is PromptText text ? text.Text : throw new ArgumentException("A prompt this scorer did not encode.", nameof(prompts))).ToArray(), probabilities);

    public void Dispose()
    {
        _encoder.Dispose();
        _head.Dispose();
        _runOptions.Dispose();
    }
}
