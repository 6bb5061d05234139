using System.Text;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.OpenAI.Usage;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>What every background chat call of one request shares: its id, its tenant and the per-call deadline.</summary>
public sealed record ChatCallScope(string RequestId, string TenantId, TimeSpan CallTimeout);

/// <summary>
/// Chat completions the gateway makes itself (ensemble members, judges, aggregators, and any later background
/// work), sent through the same <see cref="ExpertInvoker"/> as forwarded requests: the same destinations, limits,
/// retries and circuits. The answer is read as it arrives; failures come back as values.
/// </summary>
public sealed class ChatCaller(ExpertInvoker invoker, TimeProvider time)
{
    public const string Path = "/chat/completions";

    /// <summary>A whole answer from <paramref name="expert"/> for <paramref name="body"/> (an OpenAI chat request).</summary>
    public Task<ExpertCallResult> CompleteAsync(ChatCallScope scope, ExpertDefinition expert, JsonObject body, CancellationToken cancellationToken) =>
        CallAsync(scope, expert, body, onContent: null, cancellationToken);

    /// <summary>
    /// The answer streamed: each content delta goes to <paramref name="onContent"/> as it arrives. A failure before the
    /// first delta is retried like any other; after it the call just fails, marked <see cref="ExpertCallResult.Streamed"/>.
    /// </summary>
    public Task<ExpertCallResult> StreamAsync(
        ChatCallScope scope, ExpertDefinition expert, JsonObject body, Func<string, CancellationToken, ValueTask> onContent, CancellationToken cancellationToken) =>
        CallAsync(scope, expert, body, onContent, cancellationToken);

    private async Task<ExpertCallResult> CallAsync(
        ChatCallScope scope, ExpertDefinition expert, JsonObject body, Func<string, CancellationToken, ValueTask>? onContent, CancellationToken cancellationToken)
    {
        body["model"] = expert.UpstreamModel;
        body["stream"] = onContent is not null;
        body.Remove("stream_options");
        if (onContent is not null)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        var promptTokens = TokenEstimate.FromText(body["messages"]?.ToJsonString() ?? "");
        BackgroundSink sink = onContent is null ? new JsonAnswerSink() : new ChatEventSink(onContent);
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(scope.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var context = BackgroundResponse.CreateContext(sink, linked.Token);
        var call = new ExpertCall
        {
            RequestId = scope.RequestId,
            TenantId = scope.TenantId,
            Experts = [expert],
            Path = Path,
            Body = Encoding.UTF8.GetBytes(body.ToJsonString()),
            PromptTokens = promptTokens,
            Usage = (IUsageSource)sink,
        };
        var result = await invoker.InvokeAsync(context, call, linked.Token).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = time.GetElapsedTime(started);
        var read = deadline.IsCancellationRequested && result.AnsweredBy is null
            ? Failure(expert, ExpertCallStatus.TimedOut, "call timeout", elapsed)
            : Read(expert, result, context.Response.StatusCode, sink, promptTokens, elapsed);
        return read with { Retries = Math.Max(0, result.TriesOnLast - 1), Streamed = sink.Delivered };
    }

    private static ExpertCallResult Read(ExpertDefinition expert, InvocationResult result, int status, BackgroundSink sink, int promptTokens, TimeSpan elapsed)
    {
        if (result.Last is not { } last)
        {
            return Failure(expert, ExpertCallStatus.Skipped, "unhealthy", elapsed);
        }

        return last.Outcome switch
        {
            AttemptOutcome.Answered when status is >= 200 and < 300 => Answer(expert, sink, promptTokens, elapsed) with { HttpStatus = status },
            AttemptOutcome.Answered or AttemptOutcome.RetryableStatus => Failure(expert, ExpertCallStatus.Failed, "HTTP " + (last.Status == 0 ? status : last.Status), elapsed) with
            {
                HttpStatus = last.Status == 0 ? status : last.Status,
                RetryAfter = last.RetryAfter,
            },
            AttemptOutcome.NoDestination or AttemptOutcome.CircuitOpen or AttemptOutcome.OverCapacity => Failure(expert, ExpertCallStatus.Skipped, last.Reason, elapsed) with
            {
                RetryAfter = last.RetryAfter,
            },
            _ when last.TimedOut => Failure(expert, ExpertCallStatus.TimedOut, last.Reason, elapsed),
            _ => Failure(expert, ExpertCallStatus.Failed, last.Reason, elapsed),
        };
    }

    private static ExpertCallResult Answer(ExpertDefinition expert, BackgroundSink sink, int promptTokens, TimeSpan elapsed)
    {
        if (sink is JsonAnswerSink json)
        {
            return ChatAnswer.Parse(expert, json.Bytes, promptTokens, elapsed);
        }

        var events = (ChatEventSink)sink;
        if (events.ErrorEvent)
        {
            return Failure(expert, ExpertCallStatus.Failed, "error event", elapsed);
        }

        if (!events.Done)
        {
            return Failure(expert, ExpertCallStatus.Failed, "stream ended without [DONE]", elapsed);
        }

        var text = events.Text.ToString();
        var (prompt, completion) = events.Usage ?? (promptTokens, TokenEstimate.FromText(text));
        return new ExpertCallResult(expert, ExpertCallStatus.Ok, text, prompt, completion, null, elapsed) { RawEvents = events.RawEvents };
    }

    private static ExpertCallResult Failure(ExpertDefinition expert, ExpertCallStatus status, string error, TimeSpan elapsed) =>
        new(expert, status, "", 0, 0, error, elapsed);
}
