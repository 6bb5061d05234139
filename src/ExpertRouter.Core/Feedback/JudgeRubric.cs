using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Feedback;

/// <summary>
/// The judge's prompt and how its verdict is read. With a reference (the request's <c>metadata.reference</c>) the judge
/// compares the answer with it; without one it grades against a rubric. Either way it must reply with one number in
/// [0, 1]; anything else leaves the answer unscored rather than guessed. The gateway's exploration and
/// <c>expertrouter label</c> both judge with it, and the simulator's replay judge reads this form back.
/// </summary>
public static partial class JudgeRubric
{
    public const int MaxOutputTokens = 16;

    private const string Rubric =
        "You grade an AI assistant's answer to a user's request. Judge correctness first, then completeness and " +
        "helpfulness. Reply with a single number between 0 and 1 and nothing else: 1 for a fully correct, helpful " +
        "answer, 0 for a wrong or useless one.";

    private const string WithReference =
        "You grade an AI assistant's answer against a reference answer. Reply with a single number between 0 and 1 " +
        "and nothing else: 1 when the answer agrees with the reference, 0 when it contradicts it or misses it.";

    /// <summary>Tokens the rubric itself adds to a judge call, for the budget's worst case.</summary>
    public const int OverheadTokens = 160;

    public static JsonObject Request(string prompt, string answer, string? reference)
    {
        var user = reference is null
            ? $"Request:\n{prompt}\n\nAnswer to grade:\n{answer}\n\nScore (0 to 1):"
            : $"Request:\n{prompt}\n\nReference answer:\n{reference}\n\nAnswer to grade:\n{answer}\n\nScore (0 to 1):";
        return new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = reference is null ? Rubric : WithReference },
                new JsonObject { ["role"] = "user", ["content"] = user }),
            ["temperature"] = 0,
            ["max_tokens"] = MaxOutputTokens,
        };
    }

    /// <summary>The verdict's first number when it lies in [0, 1]; null otherwise.</summary>
    public static double? Score(string verdict)
    {
        var match = Number().Match(verdict);
        return match.Success && double.TryParse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && score is >= 0 and <= 1
            ? score
            : null;
    }

    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex Number();
}
