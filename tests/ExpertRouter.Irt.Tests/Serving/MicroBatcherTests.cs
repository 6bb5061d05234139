using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Irt.Tests.Serving;

public sealed class MicroBatcherTests
{
    [Fact]
    public async Task EnqueueAsync_IdleModel_ScoresOnTheCallersThreadWithoutWaiting()
    {
        var threads = new List<int>();
        // Frozen time and a long wait: a call that waited for company would never complete.
        await using var batcher = new MicroBatcher<int, int>(
            items => { threads.Add(Environment.CurrentManagedThreadId); return items.Select(i => i * 10).ToArray(); },
            maxBatchSize: 8,
            maxWait: TimeSpan.FromHours(1),
            new FakeTimeProvider());

        var result = batcher.EnqueueAsync(4, CancellationToken.None);

        Assert.True(result.IsCompletedSuccessfully);
        Assert.Equal(40, await result);
        Assert.Equal([Environment.CurrentManagedThreadId], threads);
    }

    [Fact]
    public async Task EnqueueAsync_CallsArrivingDuringARun_AreScoredTogetherInTheNextRun()
    {
        using var model = new FirstRunHeldModel();
        await using var batcher = new MicroBatcher<int, int>(model.Run, maxBatchSize: 8, maxWait: TimeSpan.Zero, new FakeTimeProvider());

        var first = Task.Run(() => batcher.EnqueueAsync(0, CancellationToken.None));
        model.WaitForFirstRun();
        var queued = Enumerable.Range(1, 5).Select(i => batcher.EnqueueAsync(i, CancellationToken.None)).ToArray();
        model.ReleaseFirstRun();

        Assert.Equal(100, await first);
        var rest = await Task.WhenAll(queued);
        Assert.Equal([101, 102, 103, 104, 105], rest);
        Assert.Equal([[0], [1, 2, 3, 4, 5]], model.Batches);
    }

    [Fact]
    public async Task EnqueueAsync_QueuedBatch_WaitsForCompanyUntilMaxWaitThenRunsWhatItHas()
    {
        using var model = new FirstRunHeldModel();
        var time = new FakeTimeProvider();
        await using var batcher = new MicroBatcher<int, int>(model.Run, maxBatchSize: 8, maxWait: TimeSpan.FromSeconds(1), time);

        var first = Task.Run(() => batcher.EnqueueAsync(0, CancellationToken.None));
        model.WaitForFirstRun();
        var queued = new List<Task<int>> { batcher.EnqueueAsync(1, CancellationToken.None), batcher.EnqueueAsync(2, CancellationToken.None) };
        model.ReleaseFirstRun();
        Assert.Equal(100, await first);

        // Two queued calls make a batch worth waiting for: a third arriving within the wait joins it, and the batch
        // runs only when the clock passes the wait (the timeout ends the wait without faulting the batcher).
        queued.Add(batcher.EnqueueAsync(3, CancellationToken.None));
        await Task.Delay(50);
        Assert.DoesNotContain(queued, t => t.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var results = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([101, 102, 103], results);
        Assert.Equal([[0], [1, 2, 3]], model.Batches);
        Assert.Equal(104, await batcher.EnqueueAsync(4, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task EnqueueAsync_ManyConcurrentCallers_ModelNeverRunsTwiceAtOnce()
    {
        var running = 0;
        var overlapped = false;
        var scored = 0;
        await using var batcher = new MicroBatcher<int, int>(
            items =>
            {
                overlapped |= Interlocked.Increment(ref running) > 1;
                Thread.SpinWait(2000);
                Interlocked.Add(ref scored, items.Count);
                Interlocked.Decrement(ref running);
                return [.. items];
            },
            maxBatchSize: 4,
            maxWait: TimeSpan.FromMilliseconds(1),
            TimeProvider.System);

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => batcher.EnqueueAsync(i, CancellationToken.None))));

        Assert.False(overlapped);
        Assert.Equal(400, scored);
        Assert.Equal(Enumerable.Range(0, 400), results);
    }

    [Fact]
    public async Task EnqueueAsync_ModelThrows_FaultsTheCallersOfThatRunOnly()
    {
        await using var batcher = new MicroBatcher<int, int>(
            items => items.Contains(-1) ? throw new InvalidOperationException("bad input") : [.. items],
            maxBatchSize: 8,
            maxWait: TimeSpan.Zero,
            new FakeTimeProvider());

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync(-1, CancellationToken.None));

        Assert.Equal("bad input", failed.Message);
        Assert.Equal(7, await batcher.EnqueueAsync(7, CancellationToken.None));
    }

    [Fact]
    public async Task EnqueueAsync_AfterDispose_Fails()
    {
        var batcher = new MicroBatcher<int, int>(items => [.. items], 8, TimeSpan.Zero, new FakeTimeProvider());
        await batcher.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => batcher.EnqueueAsync(1, CancellationToken.None));
    }

    /// <summary>A model that adds 100 and records each run's batch, holding the run that starts with 0 until released.</summary>
    private sealed class FirstRunHeldModel : IDisposable
    {
        private readonly ManualResetEventSlim _firstRunStarted = new();
        private readonly ManualResetEventSlim _releaseFirstRun = new();
        private readonly List<int[]> _batches = [];

        public List<int[]> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public int[] Run(IReadOnlyList<int> items)
        {
            lock (_batches)
            {
                _batches.Add([.. items]);
            }

            if (items[0] == 0)
            {
                _firstRunStarted.Set();
                _releaseFirstRun.Wait();
            }

            return items.Select(i => i + 100).ToArray();
        }

        public void WaitForFirstRun() => _firstRunStarted.Wait(TimeSpan.FromSeconds(30));

        public void ReleaseFirstRun() => _releaseFirstRun.Set();

        public void Dispose()
        {
            _firstRunStarted.Dispose();
            _releaseFirstRun.Dispose();
        }
    }
}
