using System.Text.Json;
using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Ensembles;

/// <summary>
/// ZeroEval's rule: the first complete JSON object in the response gives <c>answer</c>; failing that, a regular
/// expression finds an <c>"answer": …</c> pair in the text (models often wrap the object in prose or code fences).
/// </summary>
public sealed partial class JsonAnswerExtractor : IAnswerExtractor
{
    public const string ExtractorName = "json-answer";

    public string Name => ExtractorName;

    public string? Extract(string response)
    {
        for (var start = response.IndexOf('{'); start >= 0; start = response.IndexOf('{', start + 1))
        {
            if (FirstObject(response, start) is { } json && AnswerOf(json) is { } answer)
            {
                return AnswerNormalizer.Normalize(answer);
            }
        }

        var match = AnswerPattern().Match(response);
        return match.Success ? AnswerNormalizer.Normalize(match.Groups["answer"].Value) : null;
    }

    private static string? FirstObject(string text, int start)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? AnswerOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("answer", out var answer))
        {
            return null;
        }

        return answer.ValueKind == JsonValueKind.String ? answer.GetString() : answer.GetRawText();
    }

    [GeneratedRegex("""["']answer["']\s*:\s*["']?(?<answer>[^"'\n}]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerPattern();
}
