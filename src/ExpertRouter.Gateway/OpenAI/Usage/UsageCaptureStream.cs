using System.Buffers;

namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>
/// Sits under a non-streamed response: relays every byte unchanged and keeps a copy (the whole body up to a limit,
/// the tail after that) so the expert's <c>usage</c> can be read once the response is complete. The copy lives in
/// a pooled buffer, given back on dispose: every non-streamed answer passes through here.
/// </summary>
internal sealed class UsageCaptureStream(Stream inner) : WriteOnlyStream(inner), IUsageSource
{
    private const int WholeBodyLimit = 4 * 1024 * 1024;
    private const int TailLength = 64 * 1024;
    private byte[] _copy = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;
    private bool _truncated;

    public UsageReport? Usage
    {
        get
        {
            ReadOnlySpan<byte> bytes = _copy.AsSpan(0, _length);
            return _truncated ? UsageReport.FromTail(bytes) : UsageReport.FromDocument(bytes) ?? UsageReport.FromTail(bytes);
        }
    }

    protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        Keep(buffer.Span);
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _copy.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = [];
            _length = 0;
        }

        base.Dispose(disposing);
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > WholeBodyLimit && bytes.Length >= TailLength)
        {
            // Past the limit only the tail counts, and this write alone holds it.
            bytes = bytes[^TailLength..];
            _length = 0;
            _truncated = true;
        }

        if (_length + bytes.Length > _copy.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_copy.Length * 2, _length + bytes.Length));
            _copy.AsSpan(0, _length).CopyTo(grown);
            if (_copy.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_copy);
            }

            _copy = grown;
        }

        bytes.CopyTo(_copy.AsSpan(_length));
        _length += bytes.Length;
        if (_length > WholeBodyLimit)
        {
            // Too big to keep whole (large embedding batches): usage comes last, so the tail is enough.
            _copy.AsSpan(_length - TailLength, TailLength).CopyTo(_copy);
            _length = TailLength;
            _truncated = true;
        }
    }
}
