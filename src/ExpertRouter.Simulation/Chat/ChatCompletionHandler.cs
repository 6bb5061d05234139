using System.Globalization;
using System.Text.Json;
using ExpertRouter.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Simulation;

/// <summary>POST /v1/chat/completions: parse, count, apply faults, answer (JSON or SSE) with the configured pacing.</summary>
internal sealed partial class ChatCompletionHandler(SimulatorRuntime runtime, ILogger<ChatCompletionHandler> logger)
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

        var model = request!.Model!;
        runtime.Counter.CountChat(model);
        if (!runtime.Faults.TrySelect(model, context.Request, out var fault, out error))
        {
            await ErrorResponse.WriteAsync(context, error!);
            return;
        }

        if (fault is not null)
        {
            Log.FaultInjected(logger, fault.Kind, model);
        }

        if (await FaultResponder.ApplyBeforeAnswerAsync(context, fault, runtime.Time))
        {
            return;
        }

        var profile = runtime.Profiles.For(model);
        var (answer, promptTokens, hash) = ChatAnswerFactory.Create(request, model, profile, runtime.Options.Seed, runtime.Replay);
        var id = string.Create(CultureInfo.InvariantCulture, $"chatcmpl-{runtime.NextSequence():x8}{hash:x16}");
        var reply = new ChatReply(id, runtime.UnixSeconds(), model, promptTokens, answer);
        var perTokenMs = fault?.Kind == FaultKind.SlowStream ? fault.DelayMs : profile.PerTokenDelayMs;
        var cutAfter = fault?.Kind == FaultKind.MidstreamCut ? fault.AfterChunks : -1;

        if (request.Stream)
        {
            await DelayAsync(profile.TimeToFirstTokenMs, context);
            var plan = new StreamPlan(perTokenMs, request.StreamOptions?.IncludeUsage == true, cutAfter);
            await ChatStreamWriter.WriteAsync(context, reply, plan, runtime.Time);
            return;
        }

        // A non-streaming answer arrives once the whole text is "generated".
        await DelayAsync(profile.TimeToFirstTokenMs + (perTokenMs * Math.Max(0, answer.PieceCount - 1)), context);
        await WriteJsonAsync(context, reply, cutAfter >= 0);
    }

    private Task DelayAsync(int milliseconds, HttpContext context) =>
        milliseconds > 0 ? Task.Delay(TimeSpan.FromMilliseconds(milliseconds), runtime.Time, context.RequestAborted) : Task.CompletedTask;

    private static async Task WriteJsonAsync(HttpContext context, ChatReply reply, bool cutHalfway)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        if (!cutHalfway)
        {
            using (var json = new Utf8JsonWriter(response.BodyWriter))
            {
                ChatCompletionJson.Write(json, reply);
            }

            await response.BodyWriter.FlushAsync(context.RequestAborted);
            return;
        }

        // A cut non-streaming answer declares its full length, sends half, and stops.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ChatCompletionJson.Write(json, reply);
        }

        ConnectionBreaker.PrepareCut(response, buffer.WrittenCount);
        await response.Body.WriteAsync(buffer.WrittenMemory[..(buffer.WrittenCount / 2)], context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.FaultInjected, LogLevel.Debug, "Injecting fault {Kind} into a chat request for model {Model}.")]
        public static partial void FaultInjected(ILogger logger, FaultKind kind, string model);
    }
}
