using System.Security.Cryptography;

namespace ExpertRouter.Core.Tenants;

/// <summary>
/// New API keys shaped like OpenAI's (<c>sk-</c> and URL-safe characters) so client SDKs and secret scanners treat
/// them the same way. 32 random bytes give 43 base64url characters.
/// </summary>
public static class ApiKeyGenerator
{
    public const string Prefix = "sk-";

    /// <summary>Admin keys look different from tenant keys, so a leaked one is recognised for what it opens.</summary>
    public const string AdminPrefix = "sk-admin-";

    public static string NewKey() => NewKey(Prefix);

    public static string NewKey(string prefix)
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return prefix + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
