using System.Globalization;
using System.Net.Http.Headers;

namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// What an expert's provider said about its own limits in one answer's headers (OpenAI's names, which vLLM, Azure
/// and most OpenAI-compatible servers copy): requests and tokens left and when each count resets, and a 429's
/// Retry-After. Reset times are durations such as <c>1s</c>, <c>6m0s</c>, <c>20ms</c>, or plain seconds.
/// </summary>
public readonly record struct ProviderSignal(
    long? RequestsLeft, TimeSpan? RequestsReset, long? TokensLeft, TimeSpan? TokensReset, TimeSpan? RetryAfter, bool Limited)
{
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string ResetTokens = "x-ratelimit-reset-tokens";
    public const string RetryAfterMs = "retry-after-ms";

    /// <summary>The signal in a response, or null when it carries none (the common case, read without allocating).</summary>
    public static ProviderSignal? Read(HttpResponseHeaders headers, int status, TimeSpan? retryAfter)
    {
        var values = headers.NonValidated;
        var requestsLeft = Long(values, RemainingRequests);
        var tokensLeft = Long(values, RemainingTokens);
        var limited = status == 429;
        if (!limited && requestsLeft is null && tokensLeft is null)
        {
            return null;
        }

        if (Long(values, RetryAfterMs) is { } ms)
        {
            retryAfter = TimeSpan.FromMilliseconds(ms);
        }

        return new ProviderSignal(requestsLeft, Duration(values, ResetRequests), tokensLeft, Duration(values, ResetTokens), retryAfter, limited);
    }

    /// <summary>
    /// How long the expert should not be sent anything: a 429's Retry-After (else the reset of a count that is spent,
    /// else <paramref name="backoff"/>), or the reset of a count at 0; null when it may be called.
    /// </summary>
    public TimeSpan? Block(TimeSpan backoff)
    {
        var spent = Max(RequestsLeft is <= 0 ? RequestsReset : null, TokensLeft is <= 0 ? TokensReset : null);
        return Limited ? RetryAfter ?? spent ?? backoff : spent;
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static long? Long(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out var values) && long.TryParse(values.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static TimeSpan? Duration(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out var values) && TryParseDuration(values.ToString(), out var duration) ? duration : null;

    /// <summary>Parses <c>1s</c>, <c>6m0s</c>, <c>1m30.5s</c>, <c>20ms</c>, <c>1h</c>, or a plain number of seconds.</summary>
    public static bool TryParseDuration(ReadOnlySpan<char> text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(Math.Max(0, seconds));
            return double.IsFinite(seconds);
        }

        var total = 0.0;
        while (!text.IsEmpty)
        {
            var digits = 0;
            while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(text[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            text = text[digits..];
            var unit = text.StartsWith("ms") ? 2 : 1;
            var scale = text.IsEmpty ? -1 : unit == 2 ? 0.001 : text[0] switch { 'h' => 3600, 'm' => 60, 's' => 1, _ => -1.0 };
            if (scale < 0)
            {
                return false;
            }

            total += number * scale;
            text = text[unit..];
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }
}
