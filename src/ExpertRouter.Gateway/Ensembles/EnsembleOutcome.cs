using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// What an ensemble produced: the final text and the expert whose text it is (or who wrote it), a short note on how
/// it was decided (sent as a header), or an error when no expert answered at all.
/// </summary>
public sealed record EnsembleOutcome(string Text, string AnsweredBy, string Decision)
{
    public ApiError? Error { get; init; }

    /// <summary>The text already reached a streaming client live; only the stream's ending is left to write.</summary>
    public bool Streamed { get; init; }

    /// <summary>The live call broke after its first token: too late to fall back, so the stream ends with an error event.</summary>
    public static EnsembleOutcome Broken(ExpertCallResult call, string decision) => new("", call.Expert.Id, decision)
    {
        Error = StreamErrorEvent.Interrupted(call.Expert.Id, call.StatusText),
        Streamed = true,
    };

    public static EnsembleOutcome Failed(string decision) => new("", "", decision)
    {
        Error = ApiError.Upstream(502, "Every expert of the ensemble failed; see the x-expertrouter-experts header."),
    };
}

/// <summary>One ensemble mode, looked up by <see cref="Mode"/>.</summary>
public interface IEnsembleStrategy
{
    EnsembleMode Mode { get; }

    Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken);
}
