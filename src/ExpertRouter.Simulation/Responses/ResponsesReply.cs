using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>
/// A simulated turn as a Responses API <c>response</c> object, or as its typed event stream: created, in_progress,
/// the output item's added / delta / done events, then completed (or incomplete, when cut at max_output_tokens).
/// </summary>
internal sealed class ResponsesReply(SimulatedTurn turn, JsonElement request) : INativeReply
{
    /// <summary>Request members a response echoes, with the value OpenAI reports when the request left them out.</summary>
    private static readonly (string Name, string Default)[] Echoed =
    [
        ("instructions", "null"), ("max_output_tokens", "null"), ("metadata", "{}"), ("parallel_tool_calls", "true"),
        ("previous_response_id", "null"), ("store", "true"), ("temperature", "1"), ("text", """{"format":{"type":"text"}}"""),
        ("tool_choice", "\"auto\""), ("tools", "[]"), ("top_p", "1"),
    ];

    private readonly SimulatedAnswer answer = turn.Answer;

    private string Id => turn.IdWith("resp_");

    private string ItemId => turn.IdWith(answer.ToolCall is null ? "msg_" : "fc_");

    private string FinalStatus => answer.IsCut ? "incomplete" : "completed";

    public void WriteWhole(Utf8JsonWriter json) => WriteResponse(json, FinalStatus, withOutput: true);

    public IReadOnlyList<NamedEvent> Events()
    {
        var events = new List<NamedEvent>();
        void Add(string type, bool isPiece, Action<Utf8JsonWriter> members)
        {
            var sequence = events.Count;
            events.Add(new NamedEvent(type, isPiece, json =>
            {
                json.WriteStartObject();
                json.WriteString("type", type);
                json.WriteNumber("sequence_number", sequence);
                members(json);
                json.WriteEndObject();
            }));
        }

        Add("response.created", false, json => WriteResponseMember(json, "in_progress", withOutput: false));
        Add("response.in_progress", false, json => WriteResponseMember(json, "in_progress", withOutput: false));
        Add("response.output_item.added", false, json => WriteItemMember(json, "in_progress", withText: false));
        var call = answer.ToolCall;
        if (call is null)
        {
            Add("response.content_part.added", false, json => WritePartMember(json, ""));
        }

        for (var i = 0; i < answer.PieceCount; i++)
        {
            var piece = answer.Pieces[i];
            Add(call is null ? "response.output_text.delta" : "response.function_call_arguments.delta", true, json =>
            {
                WriteLocation(json, withContentIndex: call is null);
                json.WriteString("delta", piece.Span);
                if (call is null)
                {
                    json.WriteStartArray("logprobs");
                    json.WriteEndArray();
                }
            });
        }

        var text = answer.Text();
        if (call is null)
        {
            Add("response.output_text.done", false, json =>
            {
                WriteLocation(json, withContentIndex: true);
                json.WriteString("text", text);
                json.WriteStartArray("logprobs");
                json.WriteEndArray();
            });
            Add("response.content_part.done", false, json => WritePartMember(json, text));
        }
        else
        {
            Add("response.function_call_arguments.done", false, json =>
            {
                WriteLocation(json, withContentIndex: false);
                json.WriteString("name", call.Name);
                json.WriteString("arguments", text);
            });
        }

        Add("response.output_item.done", false, json => WriteItemMember(json, FinalStatus, withText: true));
        Add(answer.IsCut ? "response.incomplete" : "response.completed", false, json => WriteResponseMember(json, FinalStatus, withOutput: true));
        return events;
    }

    private void WriteResponseMember(Utf8JsonWriter json, string status, bool withOutput)
    {
        json.WritePropertyName("response");
        WriteResponse(json, status, withOutput);
    }

    private void WriteResponse(Utf8JsonWriter json, string status, bool withOutput)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", turn.Created);
        json.WriteString("status", status);
        json.WriteNull("error");
        if (status == "incomplete")
        {
            json.WriteStartObject("incomplete_details");
            json.WriteString("reason", "max_output_tokens");
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details");
        }

        json.WriteString("model", turn.Model);
        json.WriteStartArray("output");
        if (withOutput)
        {
            WriteItem(json, status, withText: true);
        }

        json.WriteEndArray();
        foreach (var (name, fallback) in Echoed)
        {
            json.WritePropertyName(name);
            if (request.TryGetProperty(name, out var value))
            {
                value.WriteTo(json);
            }
            else
            {
                json.WriteRawValue(fallback);
            }
        }

        if (withOutput)
        {
            WriteUsage(json);
        }
        else
        {
            json.WriteNull("usage");
        }

        json.WriteEndObject();
    }

    private void WriteItemMember(Utf8JsonWriter json, string status, bool withText)
    {
        json.WriteNumber("output_index", 0);
        json.WritePropertyName("item");
        WriteItem(json, status, withText);
    }

    private void WriteItem(Utf8JsonWriter json, string status, bool withText)
    {
        var text = withText ? answer.Text() : "";
        json.WriteStartObject();
        json.WriteString("id", ItemId);
        if (answer.ToolCall is { } call)
        {
            json.WriteString("type", "function_call");
            json.WriteString("status", status);
            json.WriteString("arguments", text);
            json.WriteString("call_id", call.Id);
            json.WriteString("name", call.Name);
        }
        else
        {
            json.WriteString("type", "message");
            json.WriteString("status", status);
            json.WriteString("role", "assistant");
            json.WriteStartArray("content");
            if (withText)
            {
                WritePart(json, text);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private void WritePartMember(Utf8JsonWriter json, string text)
    {
        WriteLocation(json, withContentIndex: true);
        json.WritePropertyName("part");
        WritePart(json, text);
    }

    private static void WritePart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "output_text");
        json.WriteString("text", text);
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteStartArray("logprobs");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteLocation(Utf8JsonWriter json, bool withContentIndex)
    {
        json.WriteString("item_id", ItemId);
        json.WriteNumber("output_index", 0);
        if (withContentIndex)
        {
            json.WriteNumber("content_index", 0);
        }
    }

    private void WriteUsage(Utf8JsonWriter json)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", turn.PromptTokens);
        json.WriteStartObject("input_tokens_details");
        json.WriteNumber("cached_tokens", 0);
        json.WriteEndObject();
        json.WriteNumber("output_tokens", answer.CompletionTokens);
        json.WriteStartObject("output_tokens_details");
        json.WriteNumber("reasoning_tokens", 0);
        json.WriteEndObject();
        json.WriteNumber("total_tokens", turn.PromptTokens + answer.CompletionTokens);
        json.WriteEndObject();
    }
}
