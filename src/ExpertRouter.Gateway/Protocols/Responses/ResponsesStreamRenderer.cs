using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Renders an expert's chat stream as the Responses API's typed events: response.created and in_progress, then per
/// output item its added / delta / done events, then response.completed (or incomplete). The message closes when the
/// first tool call begins, as OpenAI's does; tool-call items stay open until the finish_reason, so fragments of
/// parallel calls may interleave. Every event carries the next sequence number.
/// </summary>
internal sealed class ResponsesStreamRenderer(ResponsesCall call, ProtocolIds ids) : IChatStreamRenderer
{
    private readonly ResponsesEventWriter events = new(call);
    private readonly List<ItemState> items = [];
    private readonly Dictionary<int, CallState> calls = [];
    private MessageState? message;
    private bool started;
    private bool itemsClosed;
    private string model = call.Request.Model;
    private string? finishReason;
    private TokenUsage? usage;

    public bool SawFinish => finishReason is not null;

    public TokenUsage? Usage => usage;

    /// <summary>The output as it was completed, for the store; null until the stream completes.</summary>
    public IReadOnlyList<ResponseOutputItem>? CompletedOutput { get; private set; }

    private string ItemStatus => ResponseStatus.FromFinishReason(finishReason).Status;

    public ApiError? Render(ChatStreamChunk chunk, SseEventBuffer output)
    {
        if (!started && chunk.Model is { Length: > 0 } expertModel)
        {
            model = expertModel;
        }

        Start(output);
        if (chunk.Content is { Length: > 0 } text)
        {
            AppendText(text, refusal: false, output);
        }

        if (chunk.Refusal is { Length: > 0 } refusal)
        {
            AppendText(refusal, refusal: true, output);
        }

        foreach (var delta in chunk.ToolCalls)
        {
            AppendToolCall(delta, output);
        }

        if (chunk.FinishReason is { } finish)
        {
            finishReason = finish;
            CloseItems(output);
        }

        usage = chunk.Usage ?? usage;
        return null;
    }

    public void Complete(SseEventBuffer output)
    {
        Start(output);
        if (items.Count == 0 && calls.Count == 0)
        {
            // An answer with nothing in it still reads as one empty message, as the non-streamed translation has.
            AppendText("", refusal: false, output);
            itemsClosed = false;
        }

        CloseItems(output);
        var (status, incompleteReason) = ResponseStatus.FromFinishReason(finishReason);
        CompletedOutput = Snapshot(status);
        var json = events.Begin(output, status == "incomplete" ? "response.incomplete" : "response.completed");
        events.WriteResponse(json, new ResponseSnapshot(status, model, CompletedOutput, usage, incompleteReason));
        ResponsesEventWriter.End(output);
    }

    public void Fail(ApiError error, SseEventBuffer output)
    {
        Start(output);
        var json = events.Begin(output, "error");
        json.WriteString("code", ResponsesErrors.EventCode(error));
        json.WriteString("message", error.Message);
        json.WriteString("param", error.Param);
        ResponsesEventWriter.End(output);
        json = events.Begin(output, "response.failed");
        events.WriteResponse(json, new ResponseSnapshot("failed", model, Snapshot("incomplete"), usage, Error: error));
        ResponsesEventWriter.End(output);
    }

    private void Start(SseEventBuffer output)
    {
        if (started)
        {
            return;
        }

        started = true;
        foreach (var type in (string[])["response.created", "response.in_progress"])
        {
            events.WriteResponse(events.Begin(output, type), ResponseSnapshot.InProgress(model));
            ResponsesEventWriter.End(output);
        }
    }

    private void AppendText(string text, bool refusal, SseEventBuffer output)
    {
        if (message is null)
        {
            message = new MessageState(ids.Message(), items.Count);
            items.Add(message);
            WriteItemAdded(output, message);
        }

        var part = refusal ? message.RefusalPart : message.TextPart;
        if (part < 0)
        {
            part = message.PartCount++;
            if (refusal)
            {
                message.RefusalPart = part;
            }
            else
            {
                message.TextPart = part;
            }

            var added = events.BeginAt(output, "response.content_part.added", message, part);
            added.WritePropertyName("part");
            ResponsesEventWriter.WritePart(added, refusal, "");
            ResponsesEventWriter.End(output);
        }

        (refusal ? message.Refusal : message.Text).Append(text);
        if (text.Length == 0)
        {
            return;
        }

        var json = events.BeginAt(output, refusal ? "response.refusal.delta" : "response.output_text.delta", message, part);
        json.WriteString("delta", text);
        if (!refusal)
        {
            json.WriteStartArray("logprobs");
            json.WriteEndArray();
        }

        ResponsesEventWriter.End(output);
    }

    private void AppendToolCall(ChatToolCallDelta delta, SseEventBuffer output)
    {
        if (!calls.TryGetValue(delta.Index, out var state))
        {
            state = new CallState(ids.FunctionCallItem(), ids.Call());
            calls[delta.Index] = state;
        }

        if (state.Name is null && delta.Name is { Length: > 0 } name)
        {
            state.Name = name;
        }

        if (delta.Arguments is { Length: > 0 } arguments)
        {
            state.Arguments.Append(arguments);
            if (state.OutputIndex >= 0)
            {
                WriteArgumentsDelta(output, state, arguments);
            }
        }

        if (state.OutputIndex < 0 && state.Name is not null)
        {
            AddCall(state, output);
        }
    }

    private void AddCall(CallState state, SseEventBuffer output)
    {
        if (message is { Closed: false })
        {
            // Chat sends an answer's text before its calls: the message is whole, and closes as OpenAI's would.
            CloseItem(message, "completed", output);
            message = null;
        }

        state.OutputIndex = items.Count;
        items.Add(state);
        var buffered = state.Arguments.ToString();
        state.Arguments.Clear();
        WriteItemAdded(output, state);
        if (buffered.Length > 0)
        {
            // Fragments that came before the name: sent now, as the item's first delta.
            state.Arguments.Append(buffered);
            WriteArgumentsDelta(output, state, buffered);
        }
    }

    private void CloseItems(SseEventBuffer output)
    {
        if (itemsClosed)
        {
            return;
        }

        itemsClosed = true;
        foreach (var pending in calls.Values.Where(state => state.OutputIndex < 0).ToArray())
        {
            pending.Name ??= "";
            AddCall(pending, output);
        }

        foreach (var item in items.Where(item => !item.Closed))
        {
            CloseItem(item, ItemStatus, output);
        }
    }

    private void CloseItem(ItemState item, string status, SseEventBuffer output)
    {
        item.Closed = true;
        if (item is MessageState text)
        {
            CloseMessage(text, output);
        }
        else if (item is CallState functionCall)
        {
            var json = events.BeginAt(output, "response.function_call_arguments.done", functionCall, -1);
            json.WriteString("name", functionCall.Name);
            json.WriteString("arguments", functionCall.Arguments.ToString());
            ResponsesEventWriter.End(output);
        }

        var done = events.Begin(output, "response.output_item.done");
        done.WriteNumber("output_index", item.OutputIndex);
        done.WritePropertyName("item");
        ResponseObjectWriter.WriteItem(done, item.ToItem(status));
        ResponsesEventWriter.End(output);
    }

    private void CloseMessage(MessageState text, SseEventBuffer output)
    {
        foreach (var (part, refusal) in new[] { (text.TextPart, false), (text.RefusalPart, true) }.Where(p => p.Item1 >= 0).OrderBy(p => p.Item1))
        {
            var content = (refusal ? text.Refusal : text.Text).ToString();
            var json = events.BeginAt(output, refusal ? "response.refusal.done" : "response.output_text.done", text, part);
            json.WriteString(refusal ? "refusal" : "text", content);
            if (!refusal)
            {
                json.WriteStartArray("logprobs");
                json.WriteEndArray();
            }

            ResponsesEventWriter.End(output);
            json = events.BeginAt(output, "response.content_part.done", text, part);
            json.WritePropertyName("part");
            ResponsesEventWriter.WritePart(json, refusal, content);
            ResponsesEventWriter.End(output);
        }
    }

    private List<ResponseOutputItem> Snapshot(string status) => items.Select(item => item.ToItem(status)).ToList();

    /// <summary>An item as it starts: in progress, with no content parts and no arguments yet.</summary>
    private void WriteItemAdded(SseEventBuffer output, ItemState item)
    {
        var json = events.Begin(output, "response.output_item.added");
        json.WriteNumber("output_index", item.OutputIndex);
        json.WritePropertyName("item");
        ResponseObjectWriter.WriteItem(json, item.Started());
        ResponsesEventWriter.End(output);
    }

    private void WriteArgumentsDelta(SseEventBuffer output, CallState state, string arguments)
    {
        var json = events.BeginAt(output, "response.function_call_arguments.delta", state, -1);
        json.WriteString("delta", arguments);
        ResponsesEventWriter.End(output);
    }
}
