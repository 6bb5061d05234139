using System.Security.Cryptography;

namespace ExpertRouter.Core.Tenants;

/// <summary>
/// New API keys shaped like OpenAI's (<c>sk-</c> and URL-safe characters) so client SDKs and secret scanners treat
/// them the same way. 32 random bytes give 43 base64url characters.
/// </summary>
public static class ApiKeyGenerator
{
    public const string Prefix = "sk-";

    public static string NewKey()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return Prefix + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
