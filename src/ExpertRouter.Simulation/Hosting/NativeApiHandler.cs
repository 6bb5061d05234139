using System.Text.Json;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>A simulated turn in a client API's own shape: the whole answer, or its named event stream.</summary>
internal interface INativeReply
{
    void WriteWhole(Utf8JsonWriter json);

    IReadOnlyList<NamedEvent> Events();
}

/// <summary>What sets one natively spoken API apart: how its body names the prompt, its error shape and its reply.</summary>
internal sealed record NativeApi(
    ErrorShape Errors,
    Func<JsonElement, (AnswerPrompt? Prompt, ApiError? Error)> ReadPrompt,
    Func<SimulatedTurn, JsonElement, INativeReply> Reply);

/// <summary>
/// POST of an API the simulated experts speak natively besides chat completions (the Responses API, Anthropic
/// Messages), so a gateway can pass calls through to an expert configured as speaking it. Answers, usage, pacing and
/// faults are those of chat completions for the same turn; errors come in the API's own shape.
/// </summary>
internal sealed class NativeApiHandler(GenerationTurns turns, NativeApi api)
{
    public static NativeApi Responses { get; } = new(ErrorShape.OpenAI, ResponsesPrompt.Read, (turn, root) => new ResponsesReply(turn, root));

    public static NativeApi Messages { get; } = new(ErrorShape.Anthropic, MessagesPrompt.Read, (turn, _) => new MessagesReply(turn));

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away during a delay or a stream; nobody is left to answer.
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var (document, error) = await RequestDocument.ReadAsync(context.Request);
        using (document)
        {
            var prompt = default(AnswerPrompt);
            if (document is not null)
            {
                (prompt, error) = api.ReadPrompt(document.RootElement);
            }

            if (error is not null)
            {
                await ErrorResponse.WriteAsync(context, error, api.Errors);
                return;
            }

            if (await turns.StartAsync(context, prompt!, api.Errors) is not { } turn)
            {
                return;
            }

            var root = document!.RootElement;
            var reply = api.Reply(turn, root);
            if (root.Bool("stream"))
            {
                await turns.WaitForFirstTokenAsync(context, turn);
                await NamedEventStream.WriteAsync(context, reply.Events(), new StreamPlan(turn.PerTokenDelayMs, true, turn.CutAfterEvents), turns.Time);
                return;
            }

            await turns.WaitForWholeAnswerAsync(context, turn);
            await JsonReply.WriteAsync(context, turn.CutAfterEvents >= 0, reply.WriteWhole);
        }
    }
}
