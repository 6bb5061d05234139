using ExpertRouter.Gateway.Pipeline;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Resilience;

internal enum AttemptResult
{
    /// <summary>Something reached the client (an answer, a relayed error, or the start of a stream): no going back.</summary>
    Answered,

    /// <summary>Nothing reached the client; the request may be retried or fall back.</summary>
    Failed,

    /// <summary>The client left; nothing more to do.</summary>
    ClientGone,
}

/// <summary>How one attempt on one expert ended.</summary>
internal sealed record AttemptOutcome(string Expert, AttemptResult Result, AttemptVerdict Verdict, string? Failure = null, bool RetrySameExpert = false, TimeSpan? RetryAfter = null)
{
    public const string FirstTokenTimeout = "FirstTokenTimeout";
    public const string TotalTimeout = "TotalTimeout";

    /// <summary>Reads the attempt's end from the response, YARP's error feature and what the transforms held back.</summary>
    public static AttemptOutcome Classify(HttpContext context, IExpertRoutingFeature feature, UpstreamAttempt attempt)
    {
        var expert = feature.Chosen!.Value.Expert.Id;
        if (context.RequestAborted.IsCancellationRequested)
        {
            return new(expert, AttemptResult.ClientGone, AttemptVerdict.Neutral);
        }

        var error = context.Features.Get<IForwarderErrorFeature>()?.Error;
        var status = context.Response.StatusCode;
        if (context.Response.HasStarted)
        {
            var broken = error is ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled || status >= 500;
            return new(expert, AttemptResult.Answered, broken ? AttemptVerdict.Failed : AttemptVerdict.Healthy);
        }

        if (feature.FallbackReason is { } reason)
        {
            // Held back by a deadline (timeout) or by the response transform (a retryable status).
            if (reason is FirstTokenTimeout or TotalTimeout)
            {
                return new(expert, AttemptResult.Failed, AttemptVerdict.Failed, reason);
            }

            var verdict = status is 429 or 408 ? AttemptVerdict.Neutral : AttemptVerdict.Failed;
            return new(expert, AttemptResult.Failed, verdict, reason, attempt.WillRetry(status), attempt.RetryAfter);
        }

        return error switch
        {
            null => new(expert, AttemptResult.Answered, status >= 500 ? AttemptVerdict.Failed : status == 429 ? AttemptVerdict.Neutral : AttemptVerdict.Healthy),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient =>
                new(expert, AttemptResult.Answered, AttemptVerdict.Neutral),
            // Refused, reset or unreachable before any answer: the kind of failure a second knock often cures.
            ForwarderError.Request => new(expert, AttemptResult.Failed, AttemptVerdict.Failed, error.Value.ToString(), attempt.RetriesLeft > 0),
            _ => new(expert, AttemptResult.Failed, AttemptVerdict.Failed, error.Value.ToString()),
        };
    }
}
