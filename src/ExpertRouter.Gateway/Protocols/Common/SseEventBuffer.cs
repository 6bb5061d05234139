using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>Collects named server-sent events (<c>event: name</c>, one <c>data:</c> line of JSON) until they are sent.</summary>
internal sealed class SseEventBuffer : IDisposable
{
    private readonly ArrayBufferWriter<byte> buffer = new(4096);
    private readonly Utf8JsonWriter json;

    public SseEventBuffer() => json = new Utf8JsonWriter(buffer, ProtocolJson.WriterOptions);

    public ReadOnlyMemory<byte> Written => buffer.WrittenMemory;

    /// <summary>The writer of the event begun last.</summary>
    public Utf8JsonWriter Json => json;

    /// <summary>Starts an event; write its JSON payload to the returned writer, then call <see cref="End"/>.</summary>
    public Utf8JsonWriter Begin(string eventName)
    {
        buffer.Write("event: "u8);
        var length = Encoding.UTF8.GetByteCount(eventName);
        Encoding.UTF8.GetBytes(eventName, buffer.GetSpan(length));
        buffer.Advance(length);
        buffer.Write("\ndata: "u8);
        json.Reset(buffer);
        return json;
    }

    public void End()
    {
        json.Flush();
        buffer.Write("\n\n"u8);
    }

    public void Clear() => buffer.ResetWrittenCount();

    public void Dispose() => json.Dispose();
}
