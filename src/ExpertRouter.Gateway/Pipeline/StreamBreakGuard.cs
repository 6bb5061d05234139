namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// While a stream is forwarded, holds back the connection abort the forwarder asks for when the expert's stream
/// breaks, so the gateway can end the stream with an explicit error event instead (SDKs then raise an error rather
/// than keep a truncated answer). A stream also stays open-ended (chunked): an expert's Content-Length would leave no
/// room for that event.
/// </summary>
internal sealed class StreamBreakGuard : IDisposable
{
    private readonly HttpContext _context;
    private readonly IHttpRequestLifetimeFeature _lifetime;
    private readonly IHttpResetFeature? _reset;
    private readonly DeferredAbort _deferred;

    private StreamBreakGuard(HttpContext context)
    {
        _context = context;
        _lifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        _reset = context.Features.Get<IHttpResetFeature>();
        _deferred = new DeferredAbort(_lifetime);
        context.Features.Set<IHttpRequestLifetimeFeature>(_deferred);
        // Without a reset feature the forwarder falls back to Abort(), which the deferred feature holds back.
        context.Features.Set<IHttpResetFeature>(null);
    }

    public static StreamBreakGuard Install(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).ContentLength = null;
            return Task.CompletedTask;
        }, context.Response);
        return new StreamBreakGuard(context);
    }

    /// <summary>Carries out an abort the forwarder asked for, when no error event is written instead.</summary>
    public void AbortIfRequested()
    {
        Dispose();
        if (_deferred.AbortRequested)
        {
            _lifetime.Abort();
        }
    }

    public void Dispose()
    {
        _context.Features.Set(_lifetime);
        _context.Features.Set(_reset);
    }

    private sealed class DeferredAbort(IHttpRequestLifetimeFeature inner) : IHttpRequestLifetimeFeature
    {
        public bool AbortRequested { get; private set; }

        public CancellationToken RequestAborted
        {
            get => inner.RequestAborted;
            set => inner.RequestAborted = value;
        }

        public void Abort() => AbortRequested = true;
    }
}
