using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace ExpertRouter.Core.Tenants;

public static class ApiKeyHash
{
    public static string Sha256Hex(string apiKey)
    {
        Span<char> hex = stackalloc char[64];
        WriteSha256Hex(apiKey, hex);
        return new string(hex);
    }

    /// <summary>
    /// The value stored under the hash of <paramref name="apiKey"/>, or null. Every request looks its tenant up, so
    /// the hash is written on the stack and looked up as a span instead of building its string.
    /// </summary>
    public static TValue? Find<TValue>(FrozenDictionary<string, TValue> byHash, string apiKey)
        where TValue : class
    {
        Span<char> hex = stackalloc char[64];
        WriteSha256Hex(apiKey, hex);
        return byHash.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(hex, out var value) ? value : null;
    }

    private static void WriteSha256Hex(string apiKey, Span<char> hex)
    {
        Span<byte> hash = stackalloc byte[32];
        if (Encoding.UTF8.GetMaxByteCount(apiKey.Length) <= 256)
        {
            Span<byte> utf8 = stackalloc byte[256];
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(apiKey, utf8)], hash);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        }

        Convert.TryToHexStringLower(hash, hex, out _);
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
