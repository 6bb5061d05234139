using System.Buffers;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// Relays the response body to the client unchanged while keeping a copy, up to a limit, for the cache. Like
/// ASP.NET Core's response-caching stream: the client never waits on the cache.
/// </summary>
internal sealed class ResponseCaptureStream(Stream inner, int limit) : Stream
{
    private readonly ArrayBufferWriter<byte> _copy = new(4096);

    /// <summary>True when the body outgrew the limit; the copy is then incomplete and must not be stored.</summary>
    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Captured => _copy.WrittenSpan;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> buffer)
    {
        if (Overflowed)
        {
            return;
        }

        if (_copy.WrittenCount + buffer.Length > limit)
        {
            Overflowed = true;
            _copy.Clear();
            return;
        }

        _copy.Write(buffer);
    }
}
