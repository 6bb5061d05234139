using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Serving;

/// <summary>Scores a batch of prompts: P(answers well) per router expert, row-major (prompts × experts).</summary>
public interface IPromptScorer : IDisposable
{
    int Experts { get; }

    /// <summary>The execution provider actually in use ("Cpu" or "Cuda").</summary>
    string Provider { get; }

    /// <summary>Scores a whole batch at once, encoding it as fast as it can (offline evaluation).</summary>
    void Score(IReadOnlyList<string> prompts, Span<float> probabilities);

    /// <summary>The model-free part of scoring one prompt, for the caller's own thread.</summary>
    EncodedPrompt Encode(string prompt);

    /// <summary>
    /// As <see cref="Encode(string)"/>, with a sentence encoder's vector taken from, or left in, the request's
    /// <paramref name="shared"/> embeddings.
    /// </summary>
    EncodedPrompt Encode(string prompt, PromptEmbeddings? shared) => Encode(prompt);

    /// <summary>As <see cref="Encode(string, PromptEmbeddings?)"/>, for what a reading policy read, without a copy where the featurizer reads it in place.</summary>
    EncodedPrompt Encode(in ReadText text, PromptEmbeddings? shared) => Encode(text.ToString(), shared);

    /// <summary>The pretrained sentence encoder that embeds prompts, as a cache embedder names it; null when there is none.</summary>
    SentenceTextEmbedder? Embedder => null;

    /// <summary>Scores prompts this scorer's <see cref="Encode"/> prepared.</summary>
    void Score(IReadOnlyList<EncodedPrompt> prompts, Span<float> probabilities);
}
