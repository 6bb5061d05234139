using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// A <c>POST /v1/feedback</c> body: <c>request_id</c> and either <c>score</c> (0..1) or <c>thumbs</c> (up, down), with an
/// optional <c>comment</c> and <c>metric</c>. Read with a JSON reader, so every problem becomes a 400 in OpenAI's shape
/// naming the offending parameter, and an unknown parameter (a typo of <c>score</c>) is refused rather than ignored.
/// </summary>
internal sealed record FeedbackRequest(string RequestId, double Score, string? Thumbs, string? Comment, string? Metric)
{
    public const int MaxBodyBytes = 64 * 1024;
    private const int MaxCommentLength = 4000;

    public static (FeedbackRequest?, ApiError?) Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            return (null, ApiError.InvalidJson(ex.Message));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiError.InvalidRequest("The body must be a JSON object.", null, "invalid_type"));
            }

            string? requestId = null, thumbs = null, comment = null, metric = null;
            double? score = null;
            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                var error = property.Name switch
                {
                    "request_id" => Text(value, "request_id", 128, out requestId),
                    "score" => Number(value, out score),
                    "thumbs" => Text(value, "thumbs", 8, out thumbs),
                    "comment" => Text(value, "comment", MaxCommentLength, out comment),
                    "metric" => Text(value, "metric", 64, out metric),
                    _ => ApiError.InvalidRequest($"Unrecognized request argument supplied: {property.Name}.", property.Name, "unknown_parameter"),
                };
                if (error is not null)
                {
                    return (null, error);
                }
            }

            return Validate(requestId, score, thumbs, comment, metric);
        }
    }

    private static (FeedbackRequest?, ApiError?) Validate(string? requestId, double? score, string? thumbs, string? comment, string? metric)
    {
        if (string.IsNullOrEmpty(requestId))
        {
            return (null, ApiError.InvalidRequest("'request_id' is required: the x-request-id of the response you are scoring.", "request_id", "missing_required_parameter"));
        }

        if (score is null == thumbs is null)
        {
            return (null, ApiError.InvalidRequest("Send exactly one of 'score' (a number from 0 to 1) or 'thumbs' ('up' or 'down').", score is null ? "score" : "thumbs",
                score is null ? "missing_required_parameter" : "invalid_value"));
        }

        if (thumbs is not null and not ("up" or "down"))
        {
            return (null, ApiError.InvalidRequest($"'thumbs' must be 'up' or 'down', not '{thumbs}'.", "thumbs", "invalid_value"));
        }

        if (metric is not null && (metric.Length == 0 || !metric.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-')))
        {
            return (null, ApiError.InvalidRequest("'metric' must be 1-64 of a-z, A-Z, 0-9, '_', '.', ':', '-'.", "metric", "invalid_value"));
        }

        return (new FeedbackRequest(requestId, score ?? (thumbs == "up" ? 1 : 0), thumbs, comment, metric), null);
    }

    private static ApiError? Text(JsonElement value, string name, int maxLength, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is null
            ? ApiError.InvalidRequest($"'{name}' must be a string.", name, "invalid_type")
            : text.Length > maxLength
                ? ApiError.InvalidRequest($"'{name}' is longer than {maxLength} characters.", name, "string_above_max_length")
                : null;
    }

    private static ApiError? Number(JsonElement value, out double? score)
    {
        score = value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number : null;
        return score switch
        {
            null => ApiError.InvalidRequest("'score' must be a number from 0 to 1.", "score", "invalid_type"),
            < 0 or > 1 => ApiError.InvalidRequest($"'score' must be between 0 and 1, not {score}.", "score", "invalid_value"),
            _ => null,
        };
    }
}
