using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// Renders an expert's chat stream as Anthropic's events: message_start and a ping, then one content block at a
/// time (content_block_start, text_delta or input_json_delta deltas, content_block_stop), then message_delta with the
/// stop reason and usage, and message_stop. Anthropic's blocks never interleave, so argument fragments of a tool call
/// whose block has closed cannot be sent; the stream fails rather than send them out of place.
/// </summary>
internal sealed class AnthropicStreamRenderer(AnthropicCall call, ProtocolIds ids) : IChatStreamRenderer
{
    private readonly Dictionary<int, ToolBlock> tools = [];
    private int blockIndex = -1;
    private bool textOpen;
    private ToolBlock? openTool;
    private bool started;
    private bool refused;
    private string model = call.Model;
    private string? finishReason;
    private string? matchedStop;
    private TokenUsage? usage;

    public bool SawFinish => finishReason is not null;

    public TokenUsage? Usage => usage;

    public ApiError? Render(ChatStreamChunk chunk, SseEventBuffer output)
    {
        if (!started && chunk.Model is { Length: > 0 } expertModel)
        {
            model = expertModel;
        }

        Start(output);
        if (chunk.Content is { Length: > 0 } text)
        {
            AppendText(text, output);
        }

        if (chunk.Refusal is { Length: > 0 } refusal)
        {
            refused = true;
            AppendText(refusal, output);
        }

        foreach (var delta in chunk.ToolCalls)
        {
            if (AppendToolCall(delta, output) is { } error)
            {
                return error;
            }
        }

        if (chunk.FinishReason is { } finish)
        {
            finishReason = finish;
            matchedStop = chunk.MatchedStop;
            CloseBlock(output);
        }

        usage = chunk.Usage ?? usage;
        return null;
    }

    public void Complete(SseEventBuffer output)
    {
        Start(output);
        foreach (var pending in tools.Values.Where(tool => !tool.Opened))
        {
            OpenTool(pending, output);
        }

        CloseBlock(output);
        var (reason, stopSequence) = AnthropicStopReason.From(finishReason, matchedStop, refused, call);
        var json = Begin(output, "message_delta");
        json.WriteStartObject("delta");
        json.WriteString("stop_reason", reason);
        json.WriteString("stop_sequence", stopSequence);
        json.WriteEndObject();
        json.WritePropertyName("usage");
        AnthropicMessageWriter.WriteUsage(json, call, usage);
        End(output);
        Begin(output, "message_stop");
        End(output);
    }

    public void Fail(ApiError error, SseEventBuffer output)
    {
        // Anthropic's SDKs raise on an error event wherever it comes, so it needs no message_start before it.
        AnthropicErrors.Write(output.Begin("error"), error);
        output.End();
    }

    private void Start(SseEventBuffer output)
    {
        if (started)
        {
            return;
        }

        started = true;
        var json = Begin(output, "message_start");
        json.WritePropertyName("message");
        AnthropicMessageWriter.WriteStart(json, call, model);
        AnthropicMessageWriter.WriteEnd(json, call, null, null);
        End(output);
        Begin(output, "ping");
        End(output);
    }

    private void AppendText(string text, SseEventBuffer output)
    {
        if (!textOpen)
        {
            CloseBlock(output);
            textOpen = true;
            var start = Begin(output, "content_block_start");
            start.WriteNumber("index", ++blockIndex);
            start.WritePropertyName("content_block");
            AnthropicMessageWriter.WriteTextBlock(start, "");
            End(output);
        }

        WriteDelta(output, "text_delta", "text", text);
    }

    private ApiError? AppendToolCall(ChatToolCallDelta delta, SseEventBuffer output)
    {
        if (!tools.TryGetValue(delta.Index, out var tool))
        {
            tool = new ToolBlock(ids.ToolUse());
            tools[delta.Index] = tool;
        }

        if (tool.Name is null && delta.Name is { Length: > 0 } name)
        {
            tool.Name = call.ToolNames.ToClient(name);
        }

        if (delta.Arguments is { Length: > 0 } arguments)
        {
            if (tool.Closed)
            {
                return ApiError.Upstream(502, "The expert interleaved the arguments of parallel tool calls, which Anthropic's stream cannot carry.");
            }

            tool.Pending.Append(arguments);
        }

        if (!tool.Opened && tool.Name is not null)
        {
            OpenTool(tool, output);
        }

        if (tool == openTool && tool.Pending.Length > 0)
        {
            WriteDelta(output, "input_json_delta", "partial_json", tool.Pending.ToString());
            tool.Pending.Clear();
        }

        return null;
    }

    private void OpenTool(ToolBlock tool, SseEventBuffer output)
    {
        CloseBlock(output);
        tool.Opened = true;
        openTool = tool;
        var start = Begin(output, "content_block_start");
        start.WriteNumber("index", ++blockIndex);
        start.WritePropertyName("content_block");
        AnthropicMessageWriter.WriteToolUseBlock(start, tool.Id, tool.Name ?? "", null);
        End(output);
        if (tool.Pending.Length > 0)
        {
            WriteDelta(output, "input_json_delta", "partial_json", tool.Pending.ToString());
            tool.Pending.Clear();
        }
    }

    private void CloseBlock(SseEventBuffer output)
    {
        if (!textOpen && openTool is null)
        {
            return;
        }

        openTool?.Close();
        textOpen = false;
        openTool = null;
        var json = Begin(output, "content_block_stop");
        json.WriteNumber("index", blockIndex);
        End(output);
    }

    private void WriteDelta(SseEventBuffer output, string type, string member, string value)
    {
        var json = Begin(output, "content_block_delta");
        json.WriteNumber("index", blockIndex);
        json.WriteStartObject("delta");
        json.WriteString("type", type);
        json.WriteString(member, value);
        json.WriteEndObject();
        End(output);
    }

    private static Utf8JsonWriter Begin(SseEventBuffer output, string type)
    {
        var json = output.Begin(type);
        json.WriteStartObject();
        json.WriteString("type", type);
        return json;
    }

    private static void End(SseEventBuffer output)
    {
        output.Json.WriteEndObject();
        output.End();
    }

    /// <summary>A tool call's block: opened once its name is known; fragments wait in <see cref="Pending"/> until then.</summary>
    private sealed class ToolBlock(string id)
    {
        public string Id { get; } = id;

        public string? Name { get; set; }

        public StringBuilder Pending { get; } = new();

        public bool Opened { get; set; }

        public bool Closed { get; private set; }

        public void Close() => Closed = true;
    }
}
