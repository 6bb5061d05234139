namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// A read-only stream over bytes already in memory, so a buffered body is forwarded without a copy. It reads up to
/// three pieces in a row, so a body whose <c>model</c> is replaced is forwarded as the bytes before the model, the new
/// model and the bytes after it, instead of a copy of the whole body per request.
/// </summary>
internal sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> middle, ReadOnlyMemory<byte> tail) : Stream
{
    private readonly int _length = head.Length + middle.Length + tail.Length;
    private int _position;

    public ReadOnlyMemoryStream(ReadOnlyMemory<byte> content)
        : this(content, default, default)
    {
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = (int)Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = 0;
        var start = 0;
        foreach (var piece in (ReadOnlySpan<ReadOnlyMemory<byte>>)[head, middle, tail])
        {
            var from = _position - start;
            if (from >= 0 && from < piece.Length && read < buffer.Length)
            {
                var n = Math.Min(buffer.Length - read, piece.Length - from);
                piece.Span.Slice(from, n).CopyTo(buffer[read..]);
                read += n;
                _position += n;
            }

            start += piece.Length;
        }

        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
