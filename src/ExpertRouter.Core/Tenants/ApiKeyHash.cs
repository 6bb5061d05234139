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

    /// <summary>
    /// Whether <paramref name="presented"/> hashes to <paramref name="expectedHash"/>, compared in constant time so the
    /// comparison's duration says nothing about how much of the hash matched.
    /// </summary>
    public static bool Matches(string presented, string expectedHash)
    {
        Span<byte> actual = stackalloc byte[64];
        Span<byte> expected = stackalloc byte[64];
        return Encoding.ASCII.GetBytes(Sha256Hex(presented), actual) == 64
            && expectedHash.Length == 64
            && Encoding.ASCII.GetBytes(expectedHash, expected) == 64
            && CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
