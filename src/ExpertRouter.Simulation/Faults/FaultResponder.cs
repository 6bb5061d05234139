using System.Globalization;
using System.Text;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>Applies the part of a fault that happens before any answer byte: a delay, a status answer, or a reset.</summary>
internal static class FaultResponder
{
    /// <summary>True when the fault has answered (or aborted) the request and nothing more must be written.</summary>
    public static async ValueTask<bool> ApplyBeforeAnswerAsync(HttpContext context, InjectedFault? fault, TimeProvider time, ErrorShape shape)
    {
        switch (fault?.Kind)
        {
            case FaultKind.Delay when fault.DelayMs > 0:
                await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), time, context.RequestAborted);
                return false;
            case FaultKind.Reset:
                ConnectionBreaker.Reset(context);
                return true;
            case FaultKind.Status:
                await WriteStatusAsync(context, fault, shape);
                return true;
            default:
                return false;
        }
    }

    private static async Task WriteStatusAsync(HttpContext context, InjectedFault fault, ErrorShape shape)
    {
        if (fault.StatusCode == 429)
        {
            // As OpenAI answers a spent request quota: nothing left until the reset, which is the Retry-After.
            context.Response.Headers["x-ratelimit-remaining-requests"] = "0";
            if (fault.RetryAfterSeconds is { } reset)
            {
                context.Response.Headers["x-ratelimit-reset-requests"] = reset.ToString(CultureInfo.InvariantCulture) + "s";
            }
        }

        if (fault.Body is null)
        {
            var error = new ApiError(fault.StatusCode, $"Simulated fault: status {fault.StatusCode}.", ErrorType(fault.StatusCode), null, "simulated_fault")
            {
                RetryAfterSeconds = fault.RetryAfterSeconds,
            };
            await ErrorResponse.WriteAsync(context, error, shape);
            return;
        }

        context.Response.StatusCode = fault.StatusCode;
        context.Response.ContentType = "application/json";
        if (fault.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(fault.Body), context.RequestAborted);
    }

    private static string ErrorType(int status) => status switch
    {
        429 => "rate_limit_error",
        401 => "authentication_error",
        403 => "permission_error",
        < 500 => "invalid_request_error",
        _ => "server_error",
    };
}
