using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// POST /v1/responses: OpenAI's Responses API spoken natively, so a gateway can pass calls through to an expert
/// configured as speaking it. Answers, usage, pacing and faults are those of chat completions for the same turn.
/// </summary>
internal sealed class ResponsesHandler(GenerationTurns turns)
{
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
                (prompt, error) = ResponsesPrompt.Read(document.RootElement);
            }

            if (error is not null)
            {
                await ErrorResponse.WriteAsync(context, error);
                return;
            }

            if (await turns.StartAsync(context, prompt!, ErrorShape.OpenAI) is not { } turn)
            {
                return;
            }

            var root = document!.RootElement;
            var reply = new ResponsesReply(turn, root);
            if (root.Bool("stream"))
            {
                await turns.WaitForFirstTokenAsync(context, turn);
                await NamedEventStream.WriteAsync(context, reply.Events(), new StreamPlan(turn.PerTokenDelayMs, true, turn.CutAfterEvents), turns.Time);
                return;
            }

            await turns.WaitForWholeAnswerAsync(context, turn);
            await JsonReply.WriteAsync(context, turn.CutAfterEvents >= 0, reply.WriteResponse);
        }
    }
}
