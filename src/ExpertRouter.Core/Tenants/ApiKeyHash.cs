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
}
