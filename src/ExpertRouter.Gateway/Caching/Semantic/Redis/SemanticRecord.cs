using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ExpertRouter.Core.Caching;

namespace ExpertRouter.Gateway.Caching.Semantic.Redis;

/// <summary>
/// A semantic entry as stored in Redis: expiry, guard facts, entry key and the unit vector, in a compact binary
/// layout (little-endian). The vector travels with the record so similarity is always computed here, the same way
/// for every server: Redis 8 and Garnet both order VSIM results by closeness but report different scores.
/// </summary>
internal static class SemanticRecord
{
    private const byte Version = 1;

    public static byte[] Encode(SemanticEntry entry)
    {
        var numbers = Encoding.UTF8.GetBytes(entry.Facts.Numbers);
        var key = Encoding.UTF8.GetBytes(entry.Key);
        var vector = MemoryMarshal.AsBytes(entry.Vector.AsSpan());
        var buffer = new byte[1 + 8 + 4 + 4 + numbers.Length + 4 + key.Length + 4 + vector.Length];
        var span = buffer.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], entry.ExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], entry.Facts.Negations);
        var at = Write(span, 13, numbers);
        at = Write(span, at, key);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], entry.Vector.Length);
        if (BitConverter.IsLittleEndian)
        {
            vector.CopyTo(span[(at + 4)..]);
        }
        else
        {
            for (var i = 0; i < entry.Vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[(at + 4 + (4 * i))..], entry.Vector[i]);
            }
        }

        return buffer;
    }

    /// <summary>The entry, or null when the bytes are not a record of this version (never thrown: a bad record is a miss).</summary>
    public static SemanticEntry? Decode(string tenantId, string scope, ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (bytes.Length < 13 || bytes[0] != Version)
            {
                return null;
            }

            var expires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]));
            var negations = BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]);
            var at = Read(bytes, 13, out var numbers);
            at = Read(bytes, at, out var key);
            var dimensions = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            var vector = new float[dimensions];
            for (var i = 0; i < dimensions; i++)
            {
                vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(at + 4 + (4 * i))..]);
            }

            return new SemanticEntry(tenantId, scope, vector, new PromptFacts(numbers, negations), key, expires);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The vector as VADD/VSIM's FP32 argument: raw little-endian float32.</summary>
    public static byte[] Fp32(float[] vector)
    {
        var bytes = new byte[vector.Length * 4];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), vector[i]);
        }

        return bytes;
    }

    private static int Write(Span<byte> span, int at, byte[] value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value.Length);
        value.CopyTo(span[(at + 4)..]);
        return at + 4 + value.Length;
    }

    private static int Read(ReadOnlySpan<byte> bytes, int at, out string value)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        value = Encoding.UTF8.GetString(bytes.Slice(at + 4, length));
        return at + 4 + length;
    }
}
