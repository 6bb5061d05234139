using System.Buffers;
using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// Scratch space for JSON a translation writes and then copies out at its final size (or reads in place): an array
/// from the shared pool with a writer over it. Each thread keeps two for its next translations (one writes at most two
/// documents at once: a body and the options spliced into it), so the documents of a request cost no buffers or
/// writers of their own; one rented beyond those is made afresh.
/// </summary>
internal sealed class JsonBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>A thread keeps no bigger array than this: a rare huge body should not stay pinned to it.</summary>
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static JsonBuffer? spare;

    [ThreadStatic]
    private static JsonBuffer? secondSpare;

    private readonly Utf8JsonWriter json;
    private byte[] buffer = [];
    private int written;

    private JsonBuffer() => json = new Utf8JsonWriter(this, ProtocolJson.WriterOptions);

    /// <summary>The writer over this buffer, fresh for each rent.</summary>
    public Utf8JsonWriter Json => json;

    /// <summary>Bytes written so far, including those the writer still holds.</summary>
    public int WrittenCount
    {
        get
        {
            json.Flush();
            return written;
        }
    }

    /// <summary>The bytes written so far, including those the writer still holds.</summary>
    public ReadOnlySpan<byte> WrittenSpan
    {
        get
        {
            json.Flush();
            return buffer.AsSpan(0, written);
        }
    }

    public static JsonBuffer Rent(int capacity)
    {
        var rented = spare;
        if (rented is not null)
        {
            spare = null;
        }
        else
        {
            rented = secondSpare ?? new JsonBuffer();
            secondSpare = null;
        }

        rented.Reserve(capacity);
        return rented;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - written);
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsSpan(written);
    }

    /// <summary>Empties the buffer and gives it back to this thread for the next rent (or to the pool, past two).</summary>
    public void Dispose()
    {
        if (ReferenceEquals(spare, this) || ReferenceEquals(secondSpare, this))
        {
            return;
        }

        json.Reset(this);
        written = 0;
        if (buffer.Length > KeptCapacity)
        {
            ReturnArray();
        }

        if (spare is null)
        {
            spare = this;
        }
        else if (secondSpare is null)
        {
            secondSpare = this;
        }
        else
        {
            ReturnArray();
        }
    }

    private void Reserve(int sizeHint)
    {
        var needed = written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, written).CopyTo(grown);
        ReturnArray();
        buffer = grown;
    }

    private void ReturnArray()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }
}
