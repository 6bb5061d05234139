using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Ensembles;

/// <summary>The last number in the response: the usual convention of chain-of-thought arithmetic answers.</summary>
public sealed partial class LastNumberExtractor : IAnswerExtractor
{
    public const string ExtractorName = "last-number";

    public string Name => ExtractorName;

    public string? Extract(string response)
    {
        var matches = Number().Matches(response);
        return matches.Count == 0 ? null : AnswerNormalizer.AsNumber(matches[^1].Value);
    }

    [GeneratedRegex(@"-?\$?\d[\d,]*(\.\d+)?")]
    private static partial Regex Number();
}
