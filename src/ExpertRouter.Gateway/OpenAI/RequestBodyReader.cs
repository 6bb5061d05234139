using System.Buffers;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>Reads the whole request body, refusing more than the configured limit before buffering it.</summary>
internal static class RequestBodyReader
{
    public static async ValueTask<(byte[]? Body, ApiError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, ApiError.PayloadTooLarge(limit));
        }

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                if (result.Buffer.Length > limit)
                {
                    reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    return (null, ApiError.PayloadTooLarge(limit));
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    var body = result.Buffer.ToArray();
                    reader.AdvanceTo(result.Buffer.End);
                    return (body, null);
                }

                // Nothing consumed, everything examined: the next read returns the buffer grown by new data.
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiError.PayloadTooLarge(limit));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ApiError.InvalidRequest($"The request body could not be read: {ex.Message}"));
        }
    }
}
