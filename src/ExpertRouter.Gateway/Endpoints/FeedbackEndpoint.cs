using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.RequestLog;
using Microsoft.AspNetCore.Mvc;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/feedback</c>: a tenant scores one of its own requests by the id the gateway returned. Another tenant's
/// request and an unknown one both answer 404, so an id's existence never leaks across tenants. Each score is
/// appended to the request log as a <c>feedback</c> record: every score stays, and the last one wins.
/// </summary>
internal static partial class FeedbackEndpoint
{
    public static async Task PostAsync(
        HttpContext context, [FromServices] RequestLogQueue log, [FromServices] FeedbackLog console, [FromServices] TimeProvider time, [FromServices] ILoggerFactory loggers)
    {
        var tenant = context.Features.GetRequiredFeature<IExpertRoutingFeature>().Tenant;
        if (!log.Enabled)
        {
            await ApiErrorWriter.WriteAsync(context, ApiError.NotFound("Feedback is off: this gateway keeps no request log (start it with --request-log DIR)."));
            return;
        }

        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, FeedbackRequest.MaxBodyBytes, context.RequestAborted);
        var (feedback, error) = readError is null ? FeedbackRequest.Parse(body!) : (null, readError);
        if (feedback is null)
        {
            await ApiErrorWriter.WriteAsync(context, error!);
            return;
        }

        switch (await log.Index.ContainsAsync(tenant.Id, feedback.RequestId, context.RequestAborted))
        {
            case IndexLookup.NotFound:
                await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status404NotFound,
                    $"No request '{feedback.RequestId}' of yours is known here; feedback is accepted for a while after the request was answered.",
                    "invalid_request_error", "request_id", "request_not_found"));
                return;
            case IndexLookup.Unavailable:
                await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status503ServiceUnavailable,
                    "Feedback cannot be checked right now; retry shortly.", "server_error", null, "feedback_unavailable") { RetryAfterSeconds = 1 });
                return;
        }

        var now = time.GetUtcNow();
        var record = new RequestLogRecord
        {
            Kind = RequestLogRecord.FeedbackKind,
            Timestamp = now,
            RequestId = feedback.RequestId,
            Tenant = tenant.Id,
            Score = feedback.Score,
            Thumbs = feedback.Thumbs,
            // A comment may quote the conversation: a tenant that keeps no prompts keeps no comments either.
            Comment = tenant.Logging.Prompts == PromptLogging.Off ? null : feedback.Comment,
            Metric = feedback.Metric,
        };
        if (!log.TryAppend(record))
        {
            await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status503ServiceUnavailable,
                "The request log is full; retry shortly.", "server_error", null, "feedback_unavailable") { RetryAfterSeconds = 1 });
            return;
        }

        console.Record(tenant.Id, feedback.RequestId, feedback.Score);
        Log.Recorded(loggers.CreateLogger("ExpertRouter.Feedback"), feedback.RequestId, tenant.Id, feedback.Score);
        await Results.Json(new FeedbackAccepted(feedback.RequestId, feedback.Score, feedback.Thumbs, feedback.Metric, now), EndpointJson.Default.FeedbackAccepted)
            .ExecuteAsync(context);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.FeedbackRecorded, Level = LogLevel.Debug, Message = "Feedback {Score} on request {RequestId} of tenant {Tenant}.")]
        public static partial void Recorded(ILogger logger, string requestId, string tenant, double score);
    }
}

/// <summary>The answer to an accepted score: what was recorded, and when.</summary>
internal sealed record FeedbackAccepted(string RequestId, double Score, string? Thumbs, string? Metric, DateTimeOffset RecordedAt)
{
    public string Object => "feedback";
}
