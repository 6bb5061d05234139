using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Ensembles;

/// <summary>
/// MMLU-Pro's rule: the letter in the first "the answer is (X)"; failing that, "Answer: X". The first match counts
/// because few-shot base models keep writing further questions, with their own answers, after their own.
/// </summary>
public sealed partial class MmluLetterExtractor : IAnswerExtractor
{
    public const string ExtractorName = "mmlu-letter";

    public string Name => ExtractorName;

    public string? Extract(string response)
    {
        var match = AnswerIs().Match(response);
        if (!match.Success)
        {
            match = AnswerColon().Match(response);
        }

        return match.Success ? match.Groups["letter"].Value.ToUpperInvariant() : null;
    }

    [GeneratedRegex(@"answer is \(?(?<letter>[A-J])\)?", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIs();

    [GeneratedRegex(@"Answer:\s*\(?(?<letter>[A-J])\b")]
    private static partial Regex AnswerColon();
}
