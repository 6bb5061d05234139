using System.IO.Pipelines;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// What a background call's answer is written into: the response side of a synthetic <see cref="HttpContext"/>,
/// so the forwarder writes a background call exactly as it writes a client's response. The answer goes to a
/// <see cref="BackgroundSink"/>; the response counts as started (no more retries) only once the sink has handed part
/// of the answer on.
/// </summary>
internal sealed class BackgroundResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly BackgroundSink _sink;
    private readonly FirstWriteStream _stream;
    private List<(Func<object, Task> Callback, object State)>? _starting = [];
    private PipeWriter? _writer;

    private BackgroundResponse(BackgroundSink sink)
    {
        _sink = sink;
        _stream = new FirstWriteStream(this, sink);
    }

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    public Stream Body
    {
        get => _stream;
        set => throw new NotSupportedException("A background call's response body is its sink.");
    }

    public bool HasStarted => _sink.Delivered;

    public Stream Stream => _stream;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>A context whose request the invoker fills in and whose answer goes to <paramref name="sink"/>.</summary>
    public static DefaultHttpContext CreateContext(BackgroundSink sink, CancellationToken aborted)
    {
        var context = new DefaultHttpContext();
        var response = new BackgroundResponse(sink);
        context.Features.Set<IHttpResponseFeature>(response);
        context.Features.Set<IHttpResponseBodyFeature>(response);
        context.Features.Set(response);
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("expertrouter.internal");
        context.Request.ContentType = "application/json";
        context.RequestAborted = aborted;
        return context;
    }

    /// <summary>Forgets a failed attempt's partial answer; only possible while nothing was handed on.</summary>
    public void Reset()
    {
        _sink.Reset();
        Interlocked.Exchange(ref _starting, []);
    }

    public void OnStarting(Func<object, Task> callback, object state) => _starting?.Add((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state)
    {
        // Nothing completes a synthetic response; the caller reads the sink when the invoker returns.
    }

    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => FireStartingAsync();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task CompleteAsync() => Task.CompletedTask;

    private async Task FireStartingAsync()
    {
        if (Interlocked.Exchange(ref _starting, null) is { } callbacks)
        {
            foreach (var (callback, state) in callbacks)
            {
                await callback(state).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the starting callbacks (the first-token deadline) at the answer's first byte, as Kestrel does.</summary>
    private sealed class FirstWriteStream(BackgroundResponse owner, BackgroundSink sink) : WriteOnlyStream(Null)
    {
        protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            await owner.FireStartingAsync().ConfigureAwait(false);
            await sink.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Receives a background call's answer as the forwarder writes it.</summary>
internal abstract class BackgroundSink
{
    /// <summary>Part of the answer was handed on to its consumer: the call can no longer be retried.</summary>
    public abstract bool Delivered { get; }

    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    public abstract void Reset();
}
