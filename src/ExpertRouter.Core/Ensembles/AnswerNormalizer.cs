using System.Globalization;
using System.Text;

namespace ExpertRouter.Core.Ensembles;

/// <summary>
/// Puts answers that mean the same into one spelling so a vote counts them together: numbers lose currency signs,
/// thousands separators and trailing zeros ("$70,000.00" = "70000"); text loses surrounding quotes and whitespace.
/// </summary>
public static class AnswerNormalizer
{
    public static string? Normalize(string? answer)
    {
        if (answer is null)
        {
            return null;
        }

        var text = answer.Trim().Trim('`').Trim();
        if (text.Length >= 2 && (text[0] is '"' or '\'') && text[^1] == text[0])
        {
            text = text[1..^1].Trim();
        }

        if (AsNumber(text) is { } number)
        {
            return number;
        }

        return text.Length == 0 ? null : text;
    }

    /// <summary>The canonical spelling of a number written with optional $, %, commas and spaces; null otherwise.</summary>
    public static string? AsNumber(string text)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '$' or ',' or '%' or ' ')
            {
                continue;
            }

            digits.Append(c);
        }

        var s = digits.ToString().TrimEnd('.');
        return s.Length > 0 && (char.IsAsciiDigit(s[0]) || s[0] is '-' or '+' or '.')
            && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value.Normalize().ToString(CultureInfo.InvariantCulture)
            : null;
    }

    private static decimal Normalize(this decimal value) => value / 1.000000000000000000000000000000000m;
}
