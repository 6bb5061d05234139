using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// The response body the forwarder writes an expert's chat SSE into (in pieces of any size): it writes the client
/// protocol's events to the inner stream as they arrive. Call <see cref="CompleteAsync"/> when the expert's body has
/// ended, or <see cref="FailAsync"/> when the expert broke; a stream that ends without a finish_reason or
/// <c>[DONE]</c> is failed too, never closed as if the answer were whole.
/// </summary>
public sealed class ChatStreamTranslator : Stream
{
    private static readonly ReadOnlyMemory<byte> Done = "[DONE]"u8.ToArray();

    private readonly Stream inner;
    private readonly IChatStreamRenderer renderer;
    private readonly Func<CancellationToken, ValueTask>? beforeLastEvent;
    private readonly ServerSentEventDecoder decoder = new();
    private readonly SseEventBuffer output = new();
    private readonly List<ServerSentEvent> events = [];

    internal ChatStreamTranslator(Stream inner, IChatStreamRenderer renderer, Func<CancellationToken, ValueTask>? beforeLastEvent = null)
    {
        this.inner = inner;
        this.renderer = renderer;
        this.beforeLastEvent = beforeLastEvent;
    }

    /// <summary>Bytes have gone to the client: from here a failure can only be reported in the stream.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The stream ended with the protocol's closing events.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Why the stream failed, when it did (the expert's error, a malformed event, a cut).</summary>
    public ApiError? Failure { get; private set; }

    /// <summary>The expert's usage (from its final usage chunk), for accounting; null until it has arrived.</summary>
    public TokenUsage? Usage => renderer.Usage;

    private bool IsOpen => !IsCompleted && Failure is null;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!IsOpen)
        {
            // Whatever follows the end (or a failure) is not the client's to see.
            return;
        }

        decoder.Feed(buffer.Span, events);
        await ProcessAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>The expert's body has ended without a transport error.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (!IsOpen)
        {
            return;
        }

        decoder.Finish(events);
        await ProcessAsync(cancellationToken);
        if (!IsOpen)
        {
            return;
        }

        if (renderer.SawFinish)
        {
            await EndAsync(cancellationToken);
        }
        else
        {
            await FailAsync(ApiError.Upstream(502, "The expert's stream ended before the answer was complete."), cancellationToken);
        }
    }

    /// <summary>The expert broke mid-way (cut, timeout, reset): the client gets the protocol's failure events.</summary>
    public async Task FailAsync(ApiError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!IsOpen)
        {
            return;
        }

        Failure = error;
        renderer.Fail(error, output);
        await SendAsync(cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            output.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task ProcessAsync(CancellationToken cancellationToken)
    {
        foreach (var item in events)
        {
            if (!IsOpen)
            {
                break;
            }

            if (item.Data.Span.SequenceEqual(Done.Span))
            {
                await EndAsync(cancellationToken);
                break;
            }

            var (chunk, error) = ChatStreamChunks.Read(item.Data);
            error ??= renderer.Render(chunk!, output);
            if (error is not null)
            {
                Failure = error;
                renderer.Fail(error, output);
            }
        }

        events.Clear();
        await SendAsync(cancellationToken);
    }

    private async Task EndAsync(CancellationToken cancellationToken)
    {
        renderer.Complete(output);
        IsCompleted = true;
        if (beforeLastEvent is not null)
        {
            // Stored before the client hears of the end, so a follow-up sent at once finds it.
            await beforeLastEvent(cancellationToken);
        }

        await SendAsync(cancellationToken);
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        if (output.Written.IsEmpty)
        {
            return;
        }

        HasStarted = true;
        await inner.WriteAsync(output.Written, cancellationToken);
        output.Clear();
        await inner.FlushAsync(cancellationToken);
    }
}
