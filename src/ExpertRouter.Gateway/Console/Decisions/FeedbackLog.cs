namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>
/// The scores clients sent through <c>/v1/feedback</c> lately, for the console's feedback rates: a small ring (feedback
/// is rare next to requests, so a lock is fine here). Joined with the <see cref="DecisionLog"/> by tenant and request
/// id when a page is drawn, to credit each score to the router that made the decision.
/// </summary>
public sealed class FeedbackLog(int capacity, bool enabled, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly FeedbackScore[] _items = new FeedbackScore[enabled ? capacity : 0];
    private long _total;

    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public void Record(string tenantId, string requestId, double score)
    {
        if (_items.Length == 0)
        {
            return;
        }

        var item = new FeedbackScore(time.GetUtcNow(), tenantId, requestId, score);
        lock (_gate)
        {
            _items[_total % _items.Length] = item;
            _total++;
        }
    }

    /// <summary>The scores kept, newest first.</summary>
    public IReadOnlyList<FeedbackScore> Read()
    {
        lock (_gate)
        {
            var count = (int)Math.Min(_total, _items.Length);
            var result = new FeedbackScore[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _items[(_total - 1 - i) % _items.Length];
            }

            return result;
        }
    }
}

public readonly record struct FeedbackScore(DateTimeOffset At, string TenantId, string RequestId, double Score);
