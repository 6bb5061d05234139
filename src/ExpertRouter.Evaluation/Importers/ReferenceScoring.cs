using System.Text.RegularExpressions;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Scores a fresh answer against a prompt's reference the way the shared data's importers scored the recorded ones:
/// ZeroEval's extraction for gsm8k numbers, MATH answers and CRUXEval outputs (<see cref="ZeroEvalAnswerScoring"/>),
/// and MMLU-Pro's answer letter ("the answer is (X)", as its evaluation extracts it). Null where the benchmark has no
/// extractor (AlpacaEval's references are answers to compare with, not keys), or no reference: a judge scores those.
/// </summary>
public static partial class ReferenceScoring
{
    /// <summary>Whether <see cref="Score"/> can score prompts of this benchmark and task (given a reference).</summary>
    public static bool CanScore(string benchmark, string task) => benchmark switch
    {
        "zeroeval" => ZeroEvalTask(task) is not null,
        "mmlu-pro" => true,
        _ => false,
    };

    /// <summary>1 or 0 for a benchmark with an extractor and a reference; null otherwise.</summary>
    public static double? Score(string benchmark, string task, string? reference, string model, string answer)
    {
        if (reference is null || !CanScore(benchmark, task))
        {
            return null;
        }

        if (benchmark == "mmlu-pro")
        {
            return Letter(answer) is { } letter && string.Equals(letter, reference.Trim(), StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        return ZeroEvalAnswerScoring.Score(ZeroEvalTask(task)!, ZeroEvalAnswerScoring.ExtractAnswer(model, answer), reference);
    }

    /// <summary>MMLU-Pro's extraction: "answer is (X)", else "Answer: X", else the last standalone option letter.</summary>
    public static string? Letter(string answer)
    {
        foreach (var pattern in new[] { AnswerIs(), AnswerColon() })
        {
            var match = pattern.Match(answer);
            if (match.Success)
            {
                return match.Groups[1].Value.ToUpperInvariant();
            }
        }

        var last = LastLetter().Match(answer);
        return last.Success ? last.Groups[1].Value : null;
    }

    /// <summary>The data's task names (gsm8k, crux, math-l5) as ZeroEval's folder names.</summary>
    private static string? ZeroEvalTask(string task) => task switch
    {
        "gsm8k" or "gsm" => "gsm",
        "crux" => "crux",
        "math-l5" or "math" => "math-l5",
        _ => null,
    };

    [GeneratedRegex(@"answer is \(?([A-Pa-p])\)?")]
    private static partial Regex AnswerIs();

    [GeneratedRegex(@"[Aa]nswer:\s*\(?([A-Pa-p])\)?\b")]
    private static partial Regex AnswerColon();

    [GeneratedRegex(@"\b([A-P])\b(?!.*\b[A-P]\b)", RegexOptions.Singleline)]
    private static partial Regex LastLetter();
}
