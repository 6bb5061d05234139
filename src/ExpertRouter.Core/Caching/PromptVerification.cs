using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Caching;

/// <summary>
/// The last word on a semantic cache hit: two prompts may share an answer only when they are the same sequence of
/// words, names, numbers and symbols once case, punctuation, spacing, number formatting ("1,000" = "1000",
/// "five" = "5"), "n't" contractions and politeness words are set aside. Order counts, so "5 km to miles" and
/// "5 miles to km", or "Alice sued Bob" and "Bob sued Alice", differ even though a bag-of-words embedding (and
/// <see cref="PromptAgreement"/>'s facts) cannot tell them apart; a negation, a changed number or name, or an
/// operator ("5 - 3" and "5 + 3") is a different token. Looser paraphrases are left to miss: a miss costs one
/// expert call, a wrong hit a wrong answer.
/// </summary>
public static partial class PromptVerification
{
    /// <summary>Words that never change what is asked.</summary>
    private static readonly FrozenSet<string> Filler = new[] { "please", "pls", "plz", "kindly" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Stems of "n't" contractions that are not the verb itself ("can't" is "ca" + "n't").</summary>
    private static readonly FrozenDictionary<string, string> ContractedStems = new Dictionary<string, string>
    {
        ["ca"] = "can", ["wo"] = "will", ["sha"] = "shall", ["ai"] = "am",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>True when an answer to <paramref name="stored"/> may serve <paramref name="asked"/>.</summary>
    public static bool SameQuestion(string stored, string asked) => Tokens(stored).SequenceEqual(Tokens(asked), StringComparer.Ordinal);

    /// <summary>The prompt as the comparison sees it: what is left once the differences that do not matter are gone.</summary>
    public static IReadOnlyList<string> Tokens(string prompt)
    {
        var tokens = new List<string>();
        foreach (Match match in TokenPattern().Matches(prompt))
        {
            var token = match.Value;
            if (char.IsDigit(token[0]) || token[0] == '.')
            {
                tokens.Add("#" + PromptAgreement.NormaliseNumber(token));
                continue;
            }

            if (!char.IsLetter(token[0]))
            {
                tokens.Add(token);
                continue;
            }

            AddWord(token.ToLowerInvariant().Replace('’', '\''), tokens);
        }

        return tokens;
    }

    private static void AddWord(string word, List<string> tokens)
    {
        if (word.EndsWith("n't", StringComparison.Ordinal) && word.Length > 3)
        {
            var stem = word[..^3];
            tokens.Add(ContractedStems.GetValueOrDefault(stem, stem));
            tokens.Add("not");
        }
        else if (word == "cannot")
        {
            tokens.Add("can");
            tokens.Add("not");
        }
        else if (PromptAgreement.NumberWord(word) is { } number)
        {
            tokens.Add("#" + number);
        }
        else if (!Filler.Contains(word))
        {
            tokens.Add(word);
        }
    }

    // Numbers (thousands groups of three, decimals, exponents), words with their apostrophes and marks, and every
    // symbol that can carry meaning (operators, currencies, %, #, &, @); other punctuation and spacing are dropped.
    [GeneratedRegex(@"\d{1,3}(?:[,_]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+|\p{L}[\p{L}\p{M}]*(?:['’]\p{L}+)*|[\p{S}\-*/%#&@]", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
