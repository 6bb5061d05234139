using System.Threading.Channels;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Collects concurrent requests into batches: the first waiting request starts a batch, which closes when it holds
/// <c>maxBatchSize</c> items or <c>maxWait</c> has passed. One background loop runs the batches, so the model sees
/// one caller at a time.
/// </summary>
public sealed class MicroBatcher<TIn, TOut> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TIn>, TOut[]> _process;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private readonly Task _loop;

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
        var pending = new Pending(item, new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<TOut>(new ObjectDisposedException(nameof(MicroBatcher<TIn, TOut>)));
        }

        return cancellationToken.CanBeCanceled ? pending.Result.Task.WaitAsync(cancellationToken) : pending.Result.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
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
                if (batch.Count == 0 || left <= TimeSpan.Zero || !await WaitForMoreAsync(reader, left).ConfigureAwait(false))
                {
                    break;
                }
            }

            if (batch.Count > 0)
            {
                Run(batch);
                batch.Clear();
            }
        }
    }

    private async Task<bool> WaitForMoreAsync(ChannelReader<Pending> reader, TimeSpan left)
    {
        using var timeout = new CancellationTokenSource(left, _time);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Run(List<Pending> batch)
    {
        try
        {
            var results = _process(batch.Select(p => p.Item).ToArray());
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
