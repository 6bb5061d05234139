using System.Buffers;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A BERT-family encoder exported to ONNX (bge, MiniLM, …) with its WordPiece vocab.txt: inputs <c>input_ids</c>,
/// <c>attention_mask</c> and, when the graph has it, <c>token_type_ids</c>; the first output is last_hidden_state
/// (batch × tokens × hidden), pooled as the model expects (mean over the attention mask, or the [CLS] state) and, for
/// sentence encoders, scaled to unit length as their sentence-transformers pipelines do.
/// </summary>
public sealed class BertOnnxEncoder : IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly int _maxTokens;
    private readonly bool _hasTokenTypes;
    private readonly string _output;
    private readonly EncoderPooling _pooling;
    private readonly bool _normalize;
    private long _runs;

    private BertOnnxEncoder(InferenceSession session, BertTokenizer tokenizer, int maxTokens, string provider, EncoderPooling pooling, bool normalize)
    {
        var missing = new[] { InputIds, AttentionMask }.Where(n => !session.InputMetadata.ContainsKey(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException($"The BERT graph lacks input(s) {string.Join(", ", missing)}.");
        }

        var output = session.OutputMetadata.First();
        if (output.Value.Dimensions.Length != 3 || output.Value.Dimensions[2] <= 0)
        {
            throw new InvalidDataException($"The BERT graph's first output '{output.Key}' must be batch × tokens × hidden.");
        }

        _session = session;
        _tokenizer = tokenizer;
        _maxTokens = maxTokens;
        _hasTokenTypes = session.InputMetadata.ContainsKey(TokenTypeIds);
        _output = output.Key;
        HiddenSize = output.Value.Dimensions[2];
        Provider = provider;
        _pooling = pooling;
        _normalize = normalize;
    }

    public int HiddenSize { get; }

    public string Provider { get; }

    /// <summary>Graph runs since load: what "one encoder pass per request" is checked against.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public static BertOnnxEncoder Load(
        string modelPath, string vocabularyPath, int maxTokens, bool lowerCase, OnnxServingOptions options, ILogger logger,
        EncoderPooling pooling = EncoderPooling.Mean, bool normalize = false)
    {
        var tokenizer = BertTokenizer.Create(vocabularyPath, new BertOptions { LowerCaseBeforeTokenization = lowerCase });
        var session = OnnxSessionFactory.Create(modelPath, options, logger, out var provider);
        return new BertOnnxEncoder(session, tokenizer, maxTokens, provider, pooling, normalize);
    }

    /// <summary>A pretrained sentence encoder from its extracted files, pooled and normalised as it was trained.</summary>
    public static BertOnnxEncoder Load(ExtractedEncoder extracted, OnnxServingOptions options, ILogger logger) => Load(
        extracted.ModelPath ?? throw new ArgumentException(extracted.Error, nameof(extracted)),
        extracted.VocabularyPath!,
        extracted.Encoder.MaxTokens,
        extracted.Encoder.LowerCase,
        options,
        logger,
        extracted.Encoder.Pooling,
        normalize: true);

    public IReadOnlyList<int> Tokenize(string text) =>
        _tokenizer.EncodeToIds(text, _maxTokens, addSpecialTokens: true, out _, out _);

    /// <summary>Writes one pooled embedding per text (row-major, texts × <see cref="HiddenSize"/>).</summary>
    public void Encode(IReadOnlyList<string> texts, Span<float> embeddings)
    {
        var tokens = texts.Select(Tokenize).ToArray();
        var rows = texts.Count;
        var width = Math.Max(1, tokens.Max(t => t.Count));
        var size = rows * width;
        var ids = ArrayPool<long>.Shared.Rent(size);
        var mask = ArrayPool<long>.Shared.Rent(size);
        var types = ArrayPool<long>.Shared.Rent(size);
        try
        {
            Array.Clear(ids, 0, size);
            Array.Clear(mask, 0, size);
            Array.Clear(types, 0, size);
            for (var i = 0; i < rows; i++)
            {
                for (var j = 0; j < tokens[i].Count; j++)
                {
                    ids[i * width + j] = tokens[i][j];
                    mask[i * width + j] = 1;
                }
            }

            long[] shape = [rows, width];
            var names = new List<string> { InputIds, AttentionMask };
            var values = new List<OrtValue>
            {
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, size), shape),
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, size), shape),
            };
            if (_hasTokenTypes)
            {
                names.Add(TokenTypeIds);
                values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, size), shape));
            }

            try
            {
                using var runOptions = new RunOptions();
                using var outputs = _session.Run(runOptions, names, values, [_output]);
                Interlocked.Increment(ref _runs);
                var hidden = outputs[0].GetTensorDataAsSpan<float>();
                if (_pooling == EncoderPooling.Cls)
                {
                    ClsPool(hidden, rows, width, embeddings);
                }
                else
                {
                    MeanPool(hidden, mask, rows, width, embeddings);
                }

                if (_normalize)
                {
                    Normalize(embeddings, rows);
                }
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
        }
    }

    public void Dispose() => _session.Dispose();

    private void ClsPool(ReadOnlySpan<float> hidden, int rows, int width, Span<float> embeddings)
    {
        var h = HiddenSize;
        for (var i = 0; i < rows; i++)
        {
            hidden.Slice(i * width * h, h).CopyTo(embeddings.Slice(i * h, h));
        }
    }

    private void Normalize(Span<float> embeddings, int rows)
    {
        var h = HiddenSize;
        for (var i = 0; i < rows; i++)
        {
            var row = embeddings.Slice(i * h, h);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row));
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        }
    }

    private void MeanPool(ReadOnlySpan<float> hidden, long[] mask, int rows, int width, Span<float> embeddings)
    {
        var h = HiddenSize;
        embeddings[..(rows * h)].Clear();
        for (var i = 0; i < rows; i++)
        {
            var target = embeddings.Slice(i * h, h);
            var count = 0;
            for (var j = 0; j < width; j++)
            {
                if (mask[i * width + j] == 0)
                {
                    continue;
                }

                count++;
                var source = hidden.Slice((i * width + j) * h, h);
                for (var c = 0; c < h; c++)
                {
                    target[c] += source[c];
                }
            }

            for (var c = 0; c < h; c++)
            {
                target[c] /= Math.Max(1, count);
            }
        }
    }
}
