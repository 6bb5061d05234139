using System.Buffers;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Protocols;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// What the chat pipeline writes for a request in another client protocol. At the first write it decides: a
/// successful stream goes through the protocol's translator as it comes (the expert's Content-Length no longer
/// holds); anything else (a whole answer, or an error the pipeline or the expert wrote) is kept and turned into the
/// protocol's JSON when the pipeline is done. An answer from an expert that speaks the protocol natively
/// (<see cref="ClientProtocolExchange.PassThrough"/>) is relayed untranslated, whatever its status.
/// </summary>
internal sealed class ProtocolResponseStream(HttpContext context, ClientProtocolExchange exchange, Stream client) : WriteOnlyStream(client)
{
    // The kept answer lives in a pooled array: a MemoryStream would allocate each size it doubles through, for every request.
    private byte[] _kept = [];
    private int _keptLength;
    private ChatStreamTranslator? _translator;
    private bool _decided;
    private bool _passing;

    protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_decided)
        {
            _decided = true;
            // A passed-through answer keeps the expert's own headers (Content-Length, content type): they hold for its bytes.
            _passing = exchange.PassThrough;
            if (!_passing && exchange.Translated && exchange.Stream && context.Response.StatusCode is >= 200 and < 300)
            {
                context.Response.ContentLength = null;
                context.Response.ContentType = "text/event-stream";
                _translator = exchange.OpenStream(Inner);
            }
        }

        if (_passing)
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        else if (_translator is not null)
        {
            await _translator.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Keep(buffer.Span);
        }
    }

    /// <summary>While the answer is only kept, a failed attempt's bytes can be thrown away (<see cref="HttpResponse.Clear"/>).</summary>
    public override bool CanSeek => _translator is null && !_passing;

    public override long Length => _keptLength;

    public override long Position
    {
        get => _keptLength;
        set => throw new NotSupportedException();
    }

    public override void SetLength(long value)
    {
        if (_translator is not null || _passing || value != 0)
        {
            throw new NotSupportedException("Only a kept answer that nothing was sent of can be thrown away.");
        }

        _keptLength = 0;
        _decided = false;
        exchange.PassThrough = false;
    }

    /// <summary>Ends the translated stream, or writes the kept answer or error in the protocol's shape.</summary>
    public async Task FinishAsync()
    {
        var cancellation = context.RequestAborted;
        if (_passing)
        {
            return;
        }

        if (_translator is not null)
        {
            if (!_translator.IsCompleted && !cancellation.IsCancellationRequested)
            {
                await _translator.CompleteAsync(cancellation).ConfigureAwait(false);
            }

            return;
        }

        if (context.Response.HasStarted || cancellation.IsCancellationRequested)
        {
            return;
        }

        var status = context.Response.StatusCode;
        var kept = _kept.AsMemory(0, _keptLength);
        if (status is >= 200 and < 300 && exchange.Translated)
        {
            var (body, error) = await exchange.TranslateAnswerAsync(kept, cancellation).ConfigureAwait(false);
            if (body is not null)
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = body.Length;
                await Inner.WriteAsync(body, cancellation).ConfigureAwait(false);
                return;
            }

            await ClientProtocolStep.WriteErrorAsync(context, exchange, error!).ConfigureAwait(false);
            return;
        }

        if (status >= 400)
        {
            await ClientProtocolStep.WriteErrorAsync(context, exchange, UpstreamErrors.FromResponse(status, kept.Span)).ConfigureAwait(false);
        }
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_kept.Length - _keptLength < bytes.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_keptLength + bytes.Length, Math.Max(_kept.Length * 2, 4096)));
            _kept.AsSpan(0, _keptLength).CopyTo(grown);
            ReturnKept();
            _kept = grown;
        }

        bytes.CopyTo(_kept.AsSpan(_keptLength));
        _keptLength += bytes.Length;
    }

    private void ReturnKept()
    {
        if (_kept.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_kept);
            _kept = [];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnKept();
            _translator?.Dispose();
        }

        base.Dispose(disposing);
    }
}
