using System.Globalization;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using Yarp.ReverseProxy.Model;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// The invoker's part in capacity: the slot of an expert's quota is taken where the call is made (so fallbacks,
/// retries and ensemble members count like first choices) and settled with the usage the expert reported; an expert
/// over capacity is passed over without a call; each answer's time to its first byte is recorded.
/// </summary>
public sealed partial class ExpertInvoker
{
    /// <summary>A place in flight outlives its attempt's total limit by this much before the store sweeps it as a dead replica's.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>The snapshot's verdict before anything is claimed: an over-capacity attempt that was never sent, or null.</summary>
    private Attempt? OverCapacity(InvocationState state, ExpertDefinition expert)
    {
        if (_capacity is not { Active: true } capacity)
        {
            return null;
        }

        var check = capacity.Check(expert, Estimate(state.Call, expert), capacity.NowMs);
        return check.Fits ? null : new Attempt(expert.Id, AttemptOutcome.OverCapacity, RetryAfter: check.RetryAfter);
    }

    /// <summary>Records an expert left out for capacity: in the fallbacks the client is told of, and with its reset.</summary>
    private Attempt PassOver(InvocationState state, Attempt attempt)
    {
        state.NoteCapacity(attempt.RetryAfter ?? TimeSpan.Zero);
        state.AddFailed(attempt);
        _capacity?.Passed(attempt.Expert, attempt.Reason, "call");
        Log.PassedOver(_logger, state.Call.RequestId, attempt.Expert, attempt.Reason);
        return attempt;
    }

    /// <summary>A 429 from the expert's provider: the expert is now out until its reset, which the client may be told.</summary>
    private void NoteProviderLimit(InvocationState state, Attempt attempt)
    {
        if (attempt is { Outcome: AttemptOutcome.RetryableStatus, Status: 429 } && _capacity is { } capacity)
        {
            var check = capacity.Check(state.Expert, Estimate(state.Call, state.Expert), capacity.NowMs);
            state.NoteCapacity(check.Fits ? attempt.RetryAfter ?? TimeSpan.FromSeconds(1) : check.RetryAfter);
        }
    }

    /// <summary>
    /// A slot of the expert's quota for this attempt: at the picked destination's base URL when quotas are per base
    /// URL, else at any other healthy base URL with room (the balancer does not know the quotas).
    /// </summary>
    private async ValueTask<(CapacityGrant Grant, Destination Destination)> TakeSlotAsync(InvocationState state, Destination picked)
    {
        if (_capacity is not { } capacity)
        {
            return (CapacityGrant.Free, picked);
        }

        var expert = state.Expert;
        var tokens = Estimate(state.Call, expert);
        var limits = _timeouts.For(expert.Id);
        var lease = (state.Call.MaxAttemptTime is { } cap && cap < limits.Total ? cap : limits.Total) + LeaseMargin;
        // The retry policy waits a 429's Retry-After before trying again: the block that answer set is over by then.
        var waited = state.PreviousTry is { Outcome: AttemptOutcome.RetryableStatus, Status: 429, RetryAfter: not null };
        var grant = await capacity.TryTakeAsync(expert, BaseUrlOf(picked.State), tokens, lease, waited).ConfigureAwait(false);
        if (grant.Granted || !capacity.PerBaseUrl(expert))
        {
            return (grant, picked);
        }

        var earliest = grant.RetryAfter;
        foreach (var other in picked.Cluster.DestinationsState.AvailableDestinations)
        {
            if (ReferenceEquals(other, picked.State))
            {
                continue;
            }

            var index = BaseUrlOf(other);
            var check = capacity.Check(expert, index, tokens, capacity.NowMs);
            if (!check.Fits)
            {
                earliest = Min(earliest, check.RetryAfter);
                continue;
            }

            var another = await capacity.TryTakeAsync(expert, index, tokens, lease, waited).ConfigureAwait(false);
            if (another.Granted)
            {
                return (another, new Destination(picked.Cluster, other));
            }

            earliest = Min(earliest, another.RetryAfter);
        }

        return (grant with { RetryAfter = earliest }, picked);
    }

    /// <summary>
    /// A refused slot: on the expert's first try it was never sent (passed over for capacity); on a retry the earlier
    /// failure stands, since the quota or the provider says not to knock again yet.
    /// </summary>
    private static Attempt Refused(InvocationState state, CapacityGrant grant)
    {
        if (state.TriesOnExpert > 1 && state.PreviousTry is { } previous)
        {
            state.NoteCapacity(grant.RetryAfter);
            return previous with { RetrySameExpert = false };
        }

        return new Attempt(state.Expert.Id, AttemptOutcome.OverCapacity, RetryAfter: grant.RetryAfter);
    }

    /// <summary>Records the attempt's first-token time and settles its slot: the usage it reported, nothing for a refusal, else its estimate.</summary>
    private async ValueTask FinishSlotAsync(HttpContext context, InvocationState state, Attempt attempt, long started)
    {
        var slot = state.Slot;
        (state.Slot, state.BaseUrl) = (null, -1);
        if (_capacity is not { } capacity)
        {
            return;
        }

        var answered = attempt.Outcome is AttemptOutcome.Answered or AttemptOutcome.BrokenMidway or AttemptOutcome.TotalTimeout;
        if (state.HeadersAt is { } headers && answered && context.Response.StatusCode < 400)
        {
            capacity.RecordFirstToken(state.Expert, _time.GetElapsedTime(started, headers));
        }
        else if (attempt.Outcome == AttemptOutcome.FirstTokenTimeout)
        {
            // The expert was at least this slow: a hung expert's samples must count against its latency too.
            capacity.RecordFirstToken(state.Expert, _time.GetElapsedTime(started));
        }

        if (slot is null)
        {
            return;
        }

        long? used = attempt.Outcome switch
        {
            AttemptOutcome.Answered when context.Response.StatusCode >= 400 => 0,
            AttemptOutcome.Answered when slot.CountsTokens => state.Call.Usage?.Usage is { } usage ? usage.PromptTokens + usage.CompletionTokens : null,
            // Refused or never reached: the provider spent nothing on it.
            AttemptOutcome.RetryableStatus or AttemptOutcome.TransportFailed => 0,
            _ => null,
        };
        await capacity.SettleAsync(slot, used).ConfigureAwait(false);
    }

    private static int Estimate(ExpertCall call, ExpertDefinition expert) => CapacityTracker.EstimateTokens(call.PromptTokens, call.Answers, expert);

    /// <summary>A destination's base URL index: its id is <c>&lt;expert&gt;/&lt;index&gt;</c> (<see cref="ExpertClusters"/>).</summary>
    private static int BaseUrlOf(DestinationState destination)
    {
        var id = destination.DestinationId;
        return int.TryParse(id.AsSpan(id.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a <= b ? a : b;
}
