using System.Buffers;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// Relays the response body to the client unchanged while keeping a copy, up to a limit, for the cache. Like
/// ASP.NET Core's response-caching stream: the client never waits on the cache.
/// </summary>
internal sealed class ResponseCaptureStream(Stream inner, int limit) : WriteOnlyStream(inner)
{
    private readonly ArrayBufferWriter<byte> _copy = new(4096);

    /// <summary>True when the body outgrew the limit; the copy is then incomplete and must not be stored.</summary>
    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Captured => _copy.WrittenSpan;

    protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        Keep(buffer.Span);
        return Inner.WriteAsync(buffer, cancellationToken);
    }

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
