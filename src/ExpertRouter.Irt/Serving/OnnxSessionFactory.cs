using ExpertRouter.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Creates the one <see cref="InferenceSession"/> a model gets for the process. A CUDA request falls back to the CPU
/// provider with one warning when the loaded ONNX Runtime has no CUDA provider (the CPU flavour's package), when the
/// GPU flavour's CUDA provider library cannot load (no CUDA 13 or cuDNN 9 on the host), or when the session cannot
/// start on the device (no GPU).
/// </summary>
public static partial class OnnxSessionFactory
{
    public static InferenceSession Create(string modelPath, OnnxServingOptions options, ILogger logger, out string provider) =>
        Create(File.ReadAllBytes(modelPath), modelPath, options, logger, out provider);

    public static InferenceSession Create(byte[] model, string modelName, OnnxServingOptions options, ILogger logger, out string provider)
    {
        using var sessionOptions = Configure(options);

        provider = OnnxServingOptions.Cpu;
        if (options.ExecutionProvider != OnnxServingOptions.Cuda)
        {
            return new InferenceSession(model, sessionOptions);
        }

        string reason;
        using (var cudaOptions = Configure(options))
        {
            if (TryAppendCuda(cudaOptions, options.CudaDeviceId, out reason))
            {
                try
                {
                    var session = new InferenceSession(model, cudaOptions);
                    provider = OnnxServingOptions.Cuda;
                    return session;
                }
                catch (OnnxRuntimeException ex)
                {
                    reason = ex.GetType().Name + ": " + ex.Message.Split('\n')[0];
                }
            }
        }

        Log.CudaUnavailable(logger, modelName, reason);
        return new InferenceSession(model, sessionOptions);
    }

    private static SessionOptions Configure(OnnxServingOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            // A memory plan is kept per input shape, and a hashed prompt's feature count changes with every request.
            EnableMemoryPattern = false,
            EnableCpuMemArena = options.CpuMemoryArena,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        // Idle pool threads spin by default, burning a core the gateway's request threads need (bench/README.md).
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");

        return sessionOptions;
    }

    private static bool TryAppendCuda(SessionOptions sessionOptions, int deviceId, out string reason)
    {
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(deviceId);
            reason = "";
            return true;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            reason = ex.GetType().Name + ": " + ex.Message.Split('\n')[0];
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.CudaUnavailable, LogLevel.Warning, "CUDA execution provider requested for {Model} but unavailable ({Reason}); serving on CPU.")]
        public static partial void CudaUnavailable(ILogger logger, string model, string reason);
    }
}
