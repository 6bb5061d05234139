using System.Security.Cryptography;
using System.Text;

namespace ExpertRouter.Core.Tenants;

public static class ApiKeyHash
{
    public static string Sha256Hex(string apiKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return Convert.ToHexStringLower(hash);
    }

    public static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
