namespace ExpertRouter.Gateway.Pipeline.Usage;

/// <summary>
/// Sits under a non-streamed response: relays every byte unchanged and keeps a copy (the whole body up to a limit,
/// the tail after that) so the expert's <c>usage</c> can be read once the response is complete.
/// </summary>
internal sealed class UsageCaptureStream(Stream inner) : WriteOnlyStream(inner)
{
    private const int WholeBodyLimit = 4 * 1024 * 1024;
    private const int TailLength = 64 * 1024;
    private MemoryStream _copy = new();
    private bool _truncated;

    public UsageReport? Usage
    {
        get
        {
            var bytes = _copy.GetBuffer().AsSpan(0, (int)_copy.Length);
            return _truncated ? UsageReport.FromTail(bytes) : UsageReport.FromDocument(bytes) ?? UsageReport.FromTail(bytes);
        }
    }

    protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        Keep(buffer.Span);
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        _copy.Write(bytes);
        if (_copy.Length <= WholeBodyLimit)
        {
            return;
        }

        // Too big to keep whole (large embedding batches): usage comes last, so the tail is enough.
        var tail = _copy.GetBuffer().AsSpan((int)_copy.Length - TailLength, TailLength).ToArray();
        _copy = new MemoryStream();
        _copy.Write(tail);
        _truncated = true;
    }
}
