using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>
/// A simulated turn as an Anthropic <c>message</c>, or as its event stream: message_start, content_block_start,
/// ping, one content_block_delta per piece (text_delta or input_json_delta), content_block_stop, message_delta with
/// the stop reason and usage, message_stop.
/// </summary>
internal sealed class MessagesReply(SimulatedTurn turn) : INativeReply
{
    private readonly SimulatedAnswer answer = turn.Answer;

    private string StopReason => answer.FinishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" => "tool_use",
        _ => "end_turn",
    };

    /// <summary>Anthropic's tool-use ids: the chat call id's suffix behind <c>toolu_</c>.</summary>
    private string ToolUseId => "toolu_" + answer.ToolCall!.Id["call_".Length..];

    public void WriteWhole(Utf8JsonWriter json) => WriteMessage(json, complete: true);

    public IReadOnlyList<NamedEvent> Events()
    {
        var events = new List<NamedEvent>();
        void Add(string type, bool isPiece, Action<Utf8JsonWriter> members) => events.Add(new NamedEvent(type, isPiece, json =>
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            members(json);
            json.WriteEndObject();
        }));

        Add("message_start", false, json =>
        {
            json.WritePropertyName("message");
            WriteMessage(json, complete: false);
        });
        Add("content_block_start", false, json =>
        {
            json.WriteNumber("index", 0);
            json.WritePropertyName("content_block");
            WriteBlock(json, complete: false);
        });
        Add("ping", false, _ => { });
        for (var i = 0; i < answer.PieceCount; i++)
        {
            var piece = answer.Pieces[i];
            Add("content_block_delta", true, json =>
            {
                json.WriteNumber("index", 0);
                json.WriteStartObject("delta");
                json.WriteString("type", answer.ToolCall is null ? "text_delta" : "input_json_delta");
                json.WriteString(answer.ToolCall is null ? "text" : "partial_json", piece.Span);
                json.WriteEndObject();
            });
        }

        Add("content_block_stop", false, json => json.WriteNumber("index", 0));
        Add("message_delta", false, json =>
        {
            json.WriteStartObject("delta");
            json.WriteString("stop_reason", StopReason);
            json.WriteNull("stop_sequence");
            json.WriteEndObject();
            json.WriteStartObject("usage");
            json.WriteNumber("input_tokens", turn.PromptTokens);
            json.WriteNumber("output_tokens", answer.CompletionTokens);
            json.WriteEndObject();
        });
        Add("message_stop", false, _ => { });
        return events;
    }

    private void WriteMessage(Utf8JsonWriter json, bool complete)
    {
        json.WriteStartObject();
        json.WriteString("id", turn.IdWith("msg_"));
        json.WriteString("type", "message");
        json.WriteString("role", "assistant");
        json.WriteString("model", turn.Model);
        json.WriteStartArray("content");
        if (complete)
        {
            WriteBlock(json, complete: true);
        }

        json.WriteEndArray();
        if (complete)
        {
            json.WriteString("stop_reason", StopReason);
        }
        else
        {
            json.WriteNull("stop_reason");
        }

        json.WriteNull("stop_sequence");
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", turn.PromptTokens);
        json.WriteNumber("output_tokens", complete ? answer.CompletionTokens : 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteBlock(Utf8JsonWriter json, bool complete)
    {
        json.WriteStartObject();
        if (answer.ToolCall is { } call)
        {
            json.WriteString("type", "tool_use");
            json.WriteString("id", ToolUseId);
            json.WriteString("name", call.Name);
            json.WritePropertyName("input");
            // Arguments cut at max_tokens are no whole JSON; Anthropic then reports what it could parse, here nothing.
            json.WriteRawValue(complete && !answer.IsCut ? answer.Text() : "{}");
        }
        else
        {
            json.WriteString("type", "text");
            json.WriteString("text", complete ? answer.Text() : "");
        }

        json.WriteEndObject();
    }
}
