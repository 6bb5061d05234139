using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ExpertRouter.Core.Caching;

/// <summary>
/// The guard that keeps a semantic hit from answering a different question: two prompts may share an answer only
/// when they hold the same numbers (as a multiset) and the same count of negations. Embeddings place "X" and
/// "not X", or "2 apples" and "3 apples", very close; this check is what tells them apart.
/// </summary>
public static partial class PromptAgreement
{
    /// <summary>Negation words in English and a few common languages; "n't" contractions are counted apart.</summary>
    private static readonly FrozenSet<string> Negations = new[]
    {
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "without", "except", "cannot",
        "nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne", "weder",
        "ne", "pas", "jamais", "sans", "aucun", "aucune", "rien", "ni",
        "nunca", "sin", "ningún", "ninguno", "ninguna", "nada", "tampoco",
        "non", "mai", "senza", "nessuno", "não", "nem", "sem", "nenhum",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> NumberWords = new Dictionary<string, string>
    {
        ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["twenty"] = "20", ["thirty"] = "30", ["fifty"] = "50", ["hundred"] = "100", ["thousand"] = "1000",
        ["million"] = "1000000", ["billion"] = "1000000000", ["half"] = "0.5", ["twice"] = "2", ["once"] = "1",
        ["first"] = "1st", ["second"] = "2nd", ["third"] = "3rd", ["last"] = "last",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool Agree(string a, string b) => Summarise(a) == Summarise(b);

    /// <summary>A canonical digest of the prompt's numbers and negations; equal digests mean the prompts agree.</summary>
    public static PromptFacts Summarise(string prompt)
    {
        var numbers = new List<string>();
        var negations = 0;
        foreach (Match token in Tokens().Matches(prompt))
        {
            var value = token.Value.ToLowerInvariant();
            if (char.IsDigit(value[0]) || value[0] is '-' or '+' or '.')
            {
                numbers.Add(NormaliseNumber(value));
            }
            else if (value.EndsWith("n't", StringComparison.Ordinal) || value.EndsWith("n’t", StringComparison.Ordinal))
            {
                negations++;
            }
            else if (Negations.Contains(value))
            {
                negations++;
            }
            else if (NumberWords.TryGetValue(value, out var number))
            {
                numbers.Add(number);
            }
        }

        numbers.Sort(StringComparer.Ordinal);
        return new PromptFacts(string.Join(' ', numbers), negations);
    }

    /// <summary>The number a word stands for ("five" is "5", "second" is "2nd"), or null.</summary>
    internal static string? NumberWord(string lowerCaseWord) => NumberWords.GetValueOrDefault(lowerCaseWord);

    internal static string NormaliseNumber(string token)
    {
        var plain = token.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return decimal.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("G29", CultureInfo.InvariantCulture)
            : plain;
    }

    // Signed decimals with thousands separators, or words (with contractions such as "isn't").
    [GeneratedRegex(@"[-+]?\d[\d,_]*(?:\.\d+)?(?:e[-+]?\d+)?|[-+]?\.\d+|\p{L}+(?:['’]\p{L}+)?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Tokens();
}

/// <summary>What must agree between two prompts for one's answer to serve the other.</summary>
public readonly record struct PromptFacts(string Numbers, int Negations);
