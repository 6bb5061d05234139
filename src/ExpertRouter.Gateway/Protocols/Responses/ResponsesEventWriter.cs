using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>Writes Responses API stream events: each a JSON object with its type and the next sequence number.</summary>
internal sealed class ResponsesEventWriter(ResponsesCall call)
{
    private int sequence;

    public static void WritePart(Utf8JsonWriter json, bool refusal, string content)
    {
        if (refusal)
        {
            ResponseObjectWriter.WriteRefusalPart(json, content);
        }
        else
        {
            ResponseObjectWriter.WriteTextPart(json, content);
        }
    }

    public void WriteResponse(Utf8JsonWriter json, ResponseSnapshot snapshot)
    {
        json.WritePropertyName("response");
        ResponseObjectWriter.Write(json, call, snapshot);
    }

    public Utf8JsonWriter Begin(SseEventBuffer output, string type)
    {
        var json = output.Begin(type);
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteNumber("sequence_number", sequence++);
        return json;
    }

    /// <summary>An event about one item (and, for content_index &gt;= 0, one of its content parts).</summary>
    public Utf8JsonWriter BeginAt(SseEventBuffer output, string type, ItemState item, int contentIndex)
    {
        var json = Begin(output, type);
        json.WriteString("item_id", item.Id);
        json.WriteNumber("output_index", item.OutputIndex);
        if (contentIndex >= 0)
        {
            json.WriteNumber("content_index", contentIndex);
        }

        return json;
    }

    public static void End(SseEventBuffer output)
    {
        output.Json.WriteEndObject();
        output.End();
    }
}
