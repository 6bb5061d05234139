using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>What Anthropic clients send in headers: the key in <c>x-api-key</c> (or a bearer token), and <c>anthropic-version</c>.</summary>
public static class AnthropicHeaders
{
    public const string ApiKeyHeader = "x-api-key";
    public const string VersionHeader = "anthropic-version";

    /// <summary>The API key from <c>x-api-key</c>, else from <c>Authorization: Bearer</c>; null when neither is there.</summary>
    public static string? ApiKey(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers[ApiKeyHeader].ToString() is { Length: > 0 } key)
        {
            return key.Trim();
        }

        var authorization = headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > "Bearer ".Length
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    /// <summary>Anthropic answers a request without <c>anthropic-version</c> with a 400; so does this.</summary>
    public static ApiError? RequireVersion(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers[VersionHeader].ToString() is { Length: > 0 }
            ? null
            : ApiError.InvalidRequest($"{VersionHeader}: header is required", VersionHeader, "missing_required_header");
    }
}
