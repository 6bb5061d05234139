using System.Threading.Channels;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Runs a model for concurrent callers, one run at a time. A caller that finds the model idle and nobody queued runs
/// it on its own thread at once: waiting for company could only add latency, and that is the common case at low
/// load. Callers that arrive while a run is in progress queue up, and the background loop scores everything queued
/// in one batch as soon as the model is free (up to <c>maxBatchSize</c>). A batch that already has company may wait
/// up to <c>maxWait</c> for more; a lone request never waits.
/// </summary>
public sealed class MicroBatcher<TIn, TOut> : IAsyncDisposable
{
    // Not SingleReader: that variant cannot count, and the idle check needs the count.
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    // Held by whoever is running the model: a caller scoring inline or the loop scoring a batch.
    private readonly SemaphoreSlim _model = new(1, 1);
    private readonly Func<IReadOnlyList<TIn>, TOut[]> _process;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private readonly Task _loop;
    private volatile bool _closed;

    public MicroBatcher(Func<IReadOnlyList<TIn>, TOut[]> process, int maxBatchSize, TimeSpan maxWait, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _process = process;
        _maxBatchSize = maxBatchSize;
        _maxWait = maxWait;
        _time = time;
        _loop = Task.Run(RunAsync);
    }

    public Task<TOut> EnqueueAsync(TIn item, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return Task.FromException<TOut>(new ObjectDisposedException(nameof(MicroBatcher<TIn, TOut>)));
        }

        // Queued callers go first, so an inline caller never overtakes them.
        if (_queue.Reader.Count == 0 && _model.Wait(0))
        {
            return RunInline(item);
        }

        var pending = new Pending(item, new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<TOut>(new ObjectDisposedException(nameof(MicroBatcher<TIn, TOut>)));
        }

        return cancellationToken.CanBeCanceled ? pending.Result.Task.WaitAsync(cancellationToken) : pending.Result.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private Task<TOut> RunInline(TIn item)
    {
        try
        {
            return Task.FromResult(_process([item])[0]);
        }
        catch (Exception ex)
        {
            return Task.FromException<TOut>(ex);
        }
        finally
        {
            _model.Release();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _model.WaitAsync().ConfigureAwait(false);
            try
            {
                await CollectAsync(reader, batch).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    Run(batch);
                }
            }
            finally
            {
                batch.Clear();
                _model.Release();
            }
        }
    }

    private async Task CollectAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        var started = _time.GetTimestamp();
        while (batch.Count < _maxBatchSize)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            var left = _maxWait - _time.GetElapsedTime(started);
            if (batch.Count < 2 || left <= TimeSpan.Zero || !await WaitForMoreAsync(reader, left).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// A batch wait that runs out is the common case under load, so it must not cost a thrown and caught
    /// cancellation each time: the wait's task is awaited without throwing and read afterwards.
    /// </summary>
    private async Task<bool> WaitForMoreAsync(ChannelReader<Pending> reader, TimeSpan left)
    {
        using var timeout = new CancellationTokenSource(left, _time);
        var more = reader.WaitToReadAsync(timeout.Token).AsTask();
        await ((Task)more).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return more.IsCompletedSuccessfully && more.Result;
    }

    private void Run(List<Pending> batch)
    {
        try
        {
            var items = new TIn[batch.Count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = batch[i].Item;
            }

            var results = _process(items);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(ex);
            }
        }
    }

    private sealed record Pending(TIn Item, TaskCompletionSource<TOut> Result);
}
