using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// A JSON string's value read from its escaped UTF-8 bytes (between the quotes) in a body the parser has validated
/// (UTF-8, escapes): its UTF-16 length and its text, without building a string to measure it or validating it twice.
/// </summary>
internal static class EscapedJsonString
{
    /// <summary>
    /// The UTF-16 length of the value, counted over its escaped bytes without building it (an escape is one
    /// UTF-16 unit, a <c>\u</c> surrogate pair two); null when it escapes a lone surrogate, which no string can hold.
    /// </summary>
    public static int? Utf16Length(ReadOnlySpan<byte> escaped)
    {
        var length = 0;
        var highSurrogateOpen = false;
        while (true)
        {
            var at = escaped.IndexOf((byte)'\\');
            var run = at < 0 ? escaped : escaped[..at];
            if (!run.IsEmpty)
            {
                if (highSurrogateOpen)
                {
                    return null;
                }

                length += Encoding.UTF8.GetCharCount(run);
            }

            if (at < 0)
            {
                return highSurrogateOpen ? null : length;
            }

            length++;
            if (escaped[at + 1] != (byte)'u')
            {
                if (highSurrogateOpen)
                {
                    return null;
                }

                escaped = escaped[(at + 2)..];
                continue;
            }

            var unit = UnitOfEscape(escaped, at);
            var closesPair = char.IsLowSurrogate(unit);
            if (closesPair != highSurrogateOpen)
            {
                return null;
            }

            highSurrogateOpen = char.IsHighSurrogate(unit);
            escaped = escaped[(at + 6)..];
        }
    }

    /// <summary>
    /// Writes the value into <paramref name="destination"/> (at least its <see cref="Utf16Length"/> long); returns the
    /// characters written. Nothing is checked again, so a long message decodes at the speed of transcoding (reading it
    /// with a <see cref="Utf8JsonReader"/> validates every byte once more).
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<char> destination)
    {
        var written = 0;
        while (true)
        {
            var at = escaped.IndexOf((byte)'\\');
            Utf8.ToUtf16(at < 0 ? escaped : escaped[..at], destination[written..], out _, out var chars);
            written += chars;
            if (at < 0)
            {
                return written;
            }

            var kind = escaped[at + 1];
            if (kind == (byte)'u')
            {
                destination[written++] = UnitOfEscape(escaped, at);
                escaped = escaped[(at + 6)..];
                continue;
            }

            destination[written++] = kind switch
            {
                (byte)'n' => '\n',
                (byte)'t' => '\t',
                (byte)'r' => '\r',
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                _ => (char)kind, // \" \\ \/
            };
            escaped = escaped[(at + 2)..];
        }
    }

    /// <summary>The UTF-16 unit of the <c>\u</c> escape at <paramref name="at"/> (the parser's reader checked its four hex digits).</summary>
    private static char UnitOfEscape(ReadOnlySpan<byte> escaped, int at)
    {
        ushort.TryParse(escaped.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit);
        return (char)unit;
    }
}
