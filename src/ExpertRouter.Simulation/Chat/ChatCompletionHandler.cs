using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>POST /v1/chat/completions: parse, count, apply faults, answer (JSON or SSE) with the configured pacing.</summary>
internal sealed class ChatCompletionHandler(GenerationTurns turns)
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
        var (request, error) = await RequestBody.ReadAsync(context.Request, SimulatorJsonContext.Default.ChatCompletionRequest);
        error ??= ChatRequestValidator.Validate(request!);
        if (error is not null)
        {
            await ErrorResponse.WriteAsync(context, error);
            return;
        }

        if (await turns.StartAsync(context, ChatPrompt.From(request!), ErrorShape.OpenAI) is not { } turn)
        {
            return;
        }

        var reply = new ChatReply(turn.IdWith("chatcmpl-"), turn.Created, turn.Model, turn.PromptTokens, turn.Answers);
        if (request!.Stream)
        {
            await turns.WaitForFirstTokenAsync(context, turn);
            var plan = new StreamPlan(turn.PerTokenDelayMs, request.StreamOptions?.IncludeUsage == true, turn.CutAfterEvents);
            await ChatStreamWriter.WriteAsync(context, reply, plan, turns.Time);
            return;
        }

        await turns.WaitForWholeAnswerAsync(context, turn);
        await JsonReply.WriteAsync(context, turn.CutAfterEvents >= 0, json => ChatCompletionJson.Write(json, reply));
    }
}
