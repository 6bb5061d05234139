using System.Globalization;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Evaluates + − * / and parentheses over decimal numbers: what ZeroEval's eval() of an answer such as "3/4" does,
/// without running arbitrary code.
/// </summary>
internal static class ArithmeticExpression
{
    public static bool TryEvaluate(string text, out double value)
    {
        var position = 0;
        var source = text.Replace(" ", "", StringComparison.Ordinal);
        try
        {
            value = Sum(source, ref position);
            return position == source.Length && double.IsFinite(value);
        }
        catch (FormatException)
        {
            value = 0;
            return false;
        }
    }

    private static double Sum(string s, ref int i)
    {
        var value = Product(s, ref i);
        while (i < s.Length && s[i] is '+' or '-')
        {
            var op = s[i++];
            var right = Product(s, ref i);
            value = op == '+' ? value + right : value - right;
        }

        return value;
    }

    private static double Product(string s, ref int i)
    {
        var value = Unary(s, ref i);
        while (i < s.Length && s[i] is '*' or '/')
        {
            var op = s[i++];
            var right = Unary(s, ref i);
            value = op == '*' ? value * right : value / right;
        }

        return value;
    }

    private static double Unary(string s, ref int i)
    {
        if (i < s.Length && s[i] is '+' or '-')
        {
            var negative = s[i++] == '-';
            var operand = Unary(s, ref i);
            return negative ? -operand : operand;
        }

        if (i < s.Length && s[i] == '(')
        {
            i++;
            var inner = Sum(s, ref i);
            if (i >= s.Length || s[i] != ')')
            {
                throw new FormatException("unbalanced parenthesis");
            }

            i++;
            return inner;
        }

        var start = i;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        return double.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
    }
}
