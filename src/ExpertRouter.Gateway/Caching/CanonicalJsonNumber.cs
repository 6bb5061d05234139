using System.Numerics;
using System.Text;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// One text per decimal value of a JSON number, computed from its digits instead of through a double: a double
/// cannot hold <c>1e999</c> (it becomes infinity, which JSON cannot write), and it folds distinct values together.
/// The form is <c>[-]digits[E exponent]</c> with no leading or trailing zeros in the digits, so <c>1</c>, <c>1.0</c>
/// and <c>10e-1</c> read alike, <c>0</c>, <c>-0.0</c> and <c>0e7</c> read <c>0</c>, and every other pair of values differs.
/// </summary>
public static class CanonicalJsonNumber
{
    /// <summary>The canonical text of a number token as JSON wrote it (the grammar is already checked by the reader).</summary>
    public static string Of(ReadOnlySpan<byte> token)
    {
        var at = 0;
        var negative = token.Length > 0 && token[0] == (byte)'-';
        if (negative)
        {
            at++;
        }

        var digits = new StringBuilder(token.Length);
        var fractionDigits = 0;
        var inFraction = false;
        for (; at < token.Length && token[at] is not ((byte)'e' or (byte)'E'); at++)
        {
            if (token[at] == (byte)'.')
            {
                inFraction = true;
                continue;
            }

            if (digits.Length > 0 || token[at] != (byte)'0')
            {
                digits.Append((char)token[at]);
            }

            if (inFraction)
            {
                fractionDigits++;
            }
        }

        // Exponents can be longer than any integer type (1e99999999999999999999 is valid JSON): BigInteger holds them.
        var exponent = at < token.Length ? BigInteger.Parse(Encoding.ASCII.GetString(token[(at + 1)..]).TrimStart('+')) : BigInteger.Zero;
        exponent -= fractionDigits;
        var end = digits.Length;
        while (end > 0 && digits[end - 1] == '0')
        {
            end--;
            exponent++;
        }

        if (end == 0)
        {
            return "0";
        }

        digits.Length = end;
        if (negative)
        {
            digits.Insert(0, '-');
        }

        return exponent.IsZero ? digits.ToString() : digits.Append('E').Append(exponent.ToString()).ToString();
    }
}
