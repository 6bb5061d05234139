using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// POST /v1/messages: Anthropic's Messages API spoken natively, errors in Anthropic's shape. Answers, usage, pacing
/// and faults are those of chat completions for the same turn.
/// </summary>
internal sealed class MessagesHandler(GenerationTurns turns)
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
                (prompt, error) = MessagesPrompt.Read(document.RootElement);
            }

            if (error is not null)
            {
                await ErrorResponse.WriteAsync(context, error, ErrorShape.Anthropic);
                return;
            }

            if (await turns.StartAsync(context, prompt!, ErrorShape.Anthropic) is not { } turn)
            {
                return;
            }

            var reply = new MessagesReply(turn);
            if (document!.RootElement.Bool("stream"))
            {
                await turns.WaitForFirstTokenAsync(context, turn);
                await NamedEventStream.WriteAsync(context, reply.Events(), new StreamPlan(turn.PerTokenDelayMs, true, turn.CutAfterEvents), turns.Time);
                return;
            }

            await turns.WaitForWholeAnswerAsync(context, turn);
            await JsonReply.WriteAsync(context, turn.CutAfterEvents >= 0, reply.WriteMessage);
        }
    }
}
