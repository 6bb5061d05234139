using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// ZeroEval's answer extraction and scoring (src/evaluation/{eval_utils,math_eval,crux_eval}.py at 570c6269), as
/// ported by the shared data's make.py: the first complete JSON object's "answer", else regexes for "answer"; GSM8K
/// and MATH compare the first number of the sanitised answer and gold; CRUXEval compares strings after stripping
/// quotes and escaping newlines. No extractable answer scores 0.
/// </summary>
public static partial class ZeroEvalAnswerScoring
{
    public static string? ExtractAnswer(string model, string output)
    {
        if (FirstCompleteJson(output) is { } answer)
        {
            return answer;
        }

        if (AnswerByRegex(output) is { } byRegex)
        {
            return byRegex;
        }

        if (model.Contains("Llama-3.1", StringComparison.Ordinal) && output[Math.Max(0, output.Length - 30)..].Contains("boxed", StringComparison.Ordinal))
        {
            var boxed = Boxed().Match(output);
            return boxed.Success ? boxed.Groups[1].Value : null;
        }

        return null;
    }

    /// <summary>1 when correct, else 0. <paramref name="task"/> is ZeroEval's folder name: gsm, crux or math-l5.</summary>
    public static int Score(string task, string? answer, string gold)
    {
        if (answer is null)
        {
            return 0;
        }

        if (task == "crux")
        {
            var m = answer.Trim('\'', '"').Replace("\n", "\\n", StringComparison.Ordinal);
            var g = gold.Trim('\'', '"');
            return m.Length > 0 && g.Length > 0 ? (m == g ? 1 : 0) : (m.Length == 0 && g.Length == 0 ? 1 : 0);
        }

        var mn = Number().Match(Sanitize(answer));
        var gn = Number().Match(Sanitize(gold.Replace("#", "", StringComparison.Ordinal).Trim()));
        return mn.Success && gn.Success &&
            double.Parse(mn.Value, CultureInfo.InvariantCulture) == double.Parse(gn.Value, CultureInfo.InvariantCulture) ? 1 : 0;
    }

    public static string Sanitize(string answer)
    {
        var a = answer.Replace("$", "", StringComparison.Ordinal).Trim().Replace(",", "", StringComparison.Ordinal);
        if (a.Contains('/') && Arithmetic().IsMatch(a) && ArithmeticExpression.TryEvaluate(a, out var value))
        {
            a = value.ToString("R", CultureInfo.InvariantCulture);
        }

        return a;
    }

    private static string? FirstCompleteJson(string s)
    {
        var depth = 0;
        var start = -1;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '{')
            {
                depth++;
                start = start < 0 ? i : start;
            }
            else if (s[i] == '}' && depth > 0 && --depth == 0)
            {
                try
                {
                    using var doc = JsonDocument.Parse(s[start..(i + 1)].Replace("\n", "", StringComparison.Ordinal));
                    return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("answer", out var a)
                        ? PythonString(a)
                        : null;
                }
                catch (JsonException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private static string? AnswerByRegex(string s)
    {
        var m = QuotedAnswer().Match(s);
        if (!m.Success)
        {
            m = QuotedAnswerMultiline().Match(s);
        }

        if (!m.Success)
        {
            m = BareAnswer().Match(s);
        }

        if (!m.Success)
        {
            m = UnquotedKeyAnswer().Match(s);
        }

        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Python's str() of a parsed JSON value, which ZeroEval applies to the answer.</summary>
    private static string PythonString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : PythonRepr(value);

    /// <summary>Python's repr(): lists and dicts print with single-quoted strings and ", " separators.</summary>
    private static string PythonRepr(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => PythonStringRepr(value.GetString() ?? ""),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "None",
        JsonValueKind.Number when value.TryGetInt64(out var i) && !value.GetRawText().Contains('.') && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase)
            => i.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Number => PythonFloat(value.GetDouble()),
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(PythonRepr)) + "]",
        JsonValueKind.Object => "{" + string.Join(", ", value.EnumerateObject().Select(p => PythonStringRepr(p.Name) + ": " + PythonRepr(p.Value))) + "}",
        _ => value.GetRawText(),
    };

    private static string PythonFloat(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || !double.IsFinite(d) ? text : text + ".0";
    }

    private static string PythonStringRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var body = new System.Text.StringBuilder();
        foreach (var ch in s)
        {
            body.Append(ch switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when ch == quote => "\\" + ch,
                _ => ch.ToString(),
            });
        }

        return quote + body.ToString() + quote;
    }

    [GeneratedRegex("-?\\d+(\\.\\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"^[\d\s./()+\-*]+$")]
    private static partial Regex Arithmetic();

    [GeneratedRegex(@"\\boxed\{([\w\d]+)\}")]
    private static partial Regex Boxed();

    [GeneratedRegex("\"answer\"\\s*:\\s*\"([^\"]*?)\"")]
    private static partial Regex QuotedAnswer();

    [GeneratedRegex("\"answer\"\\s*:\\s*\"(.*?)\"", RegexOptions.Singleline)]
    private static partial Regex QuotedAnswerMultiline();

    [GeneratedRegex("\"answer\"\\s*:\\s*([^,\\s]*)")]
    private static partial Regex BareAnswer();

    [GeneratedRegex("answer\\s*:\\s*([^,\\s]*)")]
    private static partial Regex UnquotedKeyAnswer();
}
