using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// How the translators write JSON: text stays UTF-8 as OpenAI and Anthropic send it (the default encoder would turn
/// every non-ASCII character, and even '+', into \u escapes). These bodies are API payloads, never HTML.
/// </summary>
internal static class ProtocolJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes comma-separated values this gateway wrote itself (a run of array elements) as they are: they were
    /// checked when they were written, so they are copied, not parsed again. The writer puts the comma before them as
    /// before any value, and after them before the next.
    /// </summary>
    public static void WriteElements(Utf8JsonWriter json, ReadOnlySpan<byte> elements)
    {
        if (!elements.IsEmpty)
        {
            json.WriteRawValue(elements, skipInputValidation: true);
        }
    }

    /// <summary>
    /// Closes an object written as bytes into <paramref name="body"/> after appending <paramref name="members"/> (an
    /// object the gateway wrote, whose members join the ones before): a JSON writer takes no raw members.
    /// </summary>
    public static void CloseObjectWith(IBufferWriter<byte> body, ReadOnlySpan<byte> members)
    {
        var inside = Inside(members);
        if (!inside.IsEmpty)
        {
            body.Write(","u8);
            body.Write(inside);
        }

        body.Write("}"u8);
    }

    /// <summary>What a JSON array or object holds (its elements or members), without the brackets around it.</summary>
    public static ReadOnlySpan<byte> Inside(ReadOnlySpan<byte> json)
    {
        json = json.Trim(" \t\r\n"u8);
        if (json.Length < 2 || json[0] is not ((byte)'[' or (byte)'{') || json[^1] is not ((byte)']' or (byte)'}'))
        {
            throw new InvalidDataException("Expected a JSON array or object written by the gateway.");
        }

        return json[1..^1].Trim(" \t\r\n"u8);
    }
}
