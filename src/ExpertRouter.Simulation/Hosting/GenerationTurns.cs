using ExpertRouter.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Simulation;

/// <summary>
/// The steps every generating endpoint (chat, Responses, Messages) shares once its request is valid: count it, pick
/// and apply a fault, generate the answers, and plan the pacing and any cut.
/// </summary>
internal sealed partial class GenerationTurns(SimulatorRuntime runtime, ILogger<GenerationTurns> logger)
{
    public TimeProvider Time => runtime.Time;

    /// <summary>The turn to write, or null when a fault has already answered (or aborted) the request.</summary>
    public async ValueTask<SimulatedTurn?> StartAsync(HttpContext context, AnswerPrompt prompt, ErrorShape shape)
    {
        var model = prompt.Model;
        runtime.Counter.CountChat(model, context.Request.Path.Value ?? "", runtime.Time.GetUtcNow());
        if (!runtime.Faults.TrySelect(model, context.Request, out var fault, out var error))
        {
            await ErrorResponse.WriteAsync(context, error!, shape);
            return null;
        }

        if (fault is not null)
        {
            Log.FaultInjected(logger, fault.Kind, model);
        }

        if (await FaultResponder.ApplyBeforeAnswerAsync(context, fault, runtime.Time, shape))
        {
            return null;
        }

        var profile = runtime.Profiles.For(model);
        var (answers, promptTokens, hash) = ChatAnswerFactory.Create(prompt, profile, runtime.Options.Seed, runtime.Replay);
        return new SimulatedTurn(
            runtime.NextSequence(),
            hash,
            runtime.UnixSeconds(),
            model,
            promptTokens,
            answers,
            profile.TimeToFirstTokenMs,
            fault?.Kind == FaultKind.SlowStream ? fault.DelayMs : profile.PerTokenDelayMs,
            fault?.Kind == FaultKind.MidstreamCut ? fault.AfterChunks : -1);
    }

    public Task WaitForFirstTokenAsync(HttpContext context, SimulatedTurn turn) => DelayAsync(turn.TimeToFirstTokenMs, context);

    /// <summary>A non-streaming answer arrives once the whole text is "generated".</summary>
    public Task WaitForWholeAnswerAsync(HttpContext context, SimulatedTurn turn) =>
        DelayAsync(turn.TimeToFirstTokenMs + (turn.PerTokenDelayMs * Math.Max(0, turn.Answers[0].PieceCount - 1)), context);

    private Task DelayAsync(int milliseconds, HttpContext context) =>
        milliseconds > 0 ? Task.Delay(TimeSpan.FromMilliseconds(milliseconds), runtime.Time, context.RequestAborted) : Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(LogEvents.FaultInjected, LogLevel.Debug, "Injecting fault {Kind} into a request for model {Model}.")]
        public static partial void FaultInjected(ILogger logger, FaultKind kind, string model);
    }
}

/// <summary>One generated turn: its answers (one per choice), usage, and how to pace and where to cut it (-1: never).</summary>
internal sealed record SimulatedTurn(
    long Sequence,
    ulong Hash,
    long Created,
    string Model,
    int PromptTokens,
    IReadOnlyList<SimulatedAnswer> Answers,
    int TimeToFirstTokenMs,
    int PerTokenDelayMs,
    int CutAfterEvents)
{
    public SimulatedAnswer Answer => Answers[0];

    /// <summary>An id unique per server that still shows the request's hash: <c>{prefix}{sequence}{hash}</c>.</summary>
    public string IdWith(string prefix) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{Sequence:x8}{Hash:x16}");
}
