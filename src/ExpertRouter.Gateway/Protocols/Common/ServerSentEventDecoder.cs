using System.Buffers;
using System.Text;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>One server-sent event: its <c>event:</c> name (null when none) and its <c>data:</c> lines joined by newlines.</summary>
internal sealed record ServerSentEvent(string? Name, ReadOnlyMemory<byte> Data);

/// <summary>
/// Decodes a server-sent event stream fed in arbitrary pieces: a line, a CR LF pair or a UTF-8 character may be
/// split across writes. Lines end with LF, CR LF or CR; a blank line ends an event; comments are skipped.
/// </summary>
internal sealed class ServerSentEventDecoder
{
    private readonly ArrayBufferWriter<byte> line = new(256);
    private readonly ArrayBufferWriter<byte> data = new(1024);
    private string? name;
    private bool hasData;
    private bool skipLineFeed;

    public void Feed(ReadOnlySpan<byte> bytes, List<ServerSentEvent> events)
    {
        while (!bytes.IsEmpty)
        {
            if (skipLineFeed)
            {
                skipLineFeed = false;
                if (bytes[0] == (byte)'\n')
                {
                    bytes = bytes[1..];
                    continue;
                }
            }

            var end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                line.Write(bytes);
                return;
            }

            line.Write(bytes[..end]);
            skipLineFeed = bytes[end] == (byte)'\r';
            bytes = bytes[(end + 1)..];
            EndLine(events);
        }
    }

    /// <summary>The body ended: an event still open (its blank line never came) counts as ended.</summary>
    public void Finish(List<ServerSentEvent> events)
    {
        if (line.WrittenCount > 0)
        {
            EndLine(events);
        }

        Dispatch(events);
    }

    private void EndLine(List<ServerSentEvent> events)
    {
        var text = line.WrittenSpan;
        if (text.IsEmpty)
        {
            Dispatch(events);
        }
        else if (text[0] != (byte)':')
        {
            var colon = text.IndexOf((byte)':');
            var field = colon < 0 ? text : text[..colon];
            var value = colon < 0 ? [] : text[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("data"u8))
            {
                if (hasData)
                {
                    data.Write("\n"u8);
                }

                data.Write(value);
                hasData = true;
            }
            else if (field.SequenceEqual("event"u8))
            {
                name = Encoding.UTF8.GetString(value);
            }
        }

        line.ResetWrittenCount();
    }

    private void Dispatch(List<ServerSentEvent> events)
    {
        if (hasData)
        {
            events.Add(new ServerSentEvent(name, data.WrittenSpan.ToArray()));
        }

        data.ResetWrittenCount();
        hasData = false;
        name = null;
    }
}
