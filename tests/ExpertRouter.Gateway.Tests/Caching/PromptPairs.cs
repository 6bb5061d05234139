using System.Globalization;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>A stored prompt, a prompt asked later, and whether the generator only made changes that keep the question.</summary>
public sealed record PromptPair(string Stored, string Asked, bool SameQuestion, string Changes);

/// <summary>
/// Seeded generator of prompt pairs for the semantic cache's property test: a random question, then mutations that
/// keep its meaning (case, punctuation, spacing, number formatting, politeness) or change it (swap two words or
/// names, change a number, negate, replace or drop a word). The generator knows which it applied: that is the oracle.
/// </summary>
public sealed class PromptPairs(int seed)
{
    private static readonly string[] Words =
    [
        "convert", "miles", "km", "alice", "bob", "carol", "sue", "buy", "sell", "tesla", "apple", "dog", "cat",
        "bigger", "smaller", "than", "capital", "france", "spain", "price", "river", "longest", "compare", "sort",
        "list", "before", "after", "from", "to", "is", "was", "did", "what", "which", "how", "many", "of", "in",
    ];

    private static readonly string[] Numbers = ["5", "12", "1000", "2019", "3.5", "40"];

    private readonly Random _random = new(seed);

    public IEnumerable<PromptPair> Create(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    private PromptPair Next()
    {
        var tokens = Enumerable.Range(0, _random.Next(4, 10)).Select(_ => Pick(Words)).ToList();
        for (var n = _random.Next(0, 3); n > 0; n--)
        {
            tokens.Insert(_random.Next(tokens.Count + 1), Pick(Numbers));
        }

        var stored = string.Join(' ', tokens) + "?";
        var asked = new List<string>(tokens);
        var changes = new List<string>();
        var same = true;
        for (var m = _random.Next(1, 4); m > 0; m--)
        {
            var keeps = _random.Next(2) == 0;
            var change = keeps ? Keep(asked) : Change(asked);
            if (change is not null)
            {
                changes.Add(change);
                same &= keeps;
            }
        }

        return new PromptPair(stored, Render(asked), same, string.Join(", ", changes));
    }

    /// <summary>A change that keeps the question; the tokens stay equal, only their rendering differs.</summary>
    private string? Keep(List<string> tokens)
    {
        var at = _random.Next(tokens.Count);
        switch (_random.Next(4))
        {
            case 0:
                tokens[at] = tokens[at].ToUpperInvariant();
                return "upper-case";
            case 1:
                tokens[at] += Pick([",", ";", ":", "..."]);
                return "punctuation";
            case 2 when tokens[at] == "1000":
                tokens[at] = "1,000";
                return "thousands separator";
            case 2 when tokens[at] == "5":
                tokens[at] = "five";
                return "number word";
            case 2 when tokens[at] == "3.5":
                tokens[at] = "3.50";
                return "trailing zero";
            case 3:
                tokens.Insert(0, "please");
                return "politeness";
            default:
                tokens[at] = "  " + tokens[at];
                return "spacing";
        }
    }

    /// <summary>A change of meaning; null when the draw happens to leave the tokens as they were.</summary>
    private string? Change(List<string> tokens)
    {
        var at = _random.Next(tokens.Count);
        switch (_random.Next(5))
        {
            case 0:
                var other = _random.Next(tokens.Count);
                if (Plain(tokens[at]) == Plain(tokens[other]) || Plain(tokens[at]).Length == 0 || Plain(tokens[other]).Length == 0)
                {
                    return null;
                }

                (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                return "swap";
            case 1:
                var number = tokens.FindIndex(t => double.TryParse(t, CultureInfo.InvariantCulture, out _));
                if (number < 0)
                {
                    return null;
                }

                tokens[number] = (double.Parse(tokens[number], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                return "number";
            case 2:
                tokens.Insert(at, "not");
                return "negation";
            case 3:
                var replacement = Pick(Words);
                if (Plain(replacement) == Plain(tokens[at]))
                {
                    return null;
                }

                tokens[at] = replacement;
                return "replace";
            default:
                if (tokens.Count < 2 || Plain(tokens[at]).Length == 0)
                {
                    return null;
                }

                tokens.RemoveAt(at);
                return "drop";
        }
    }

    /// <summary>The token as a reader means it; "please" means nothing, so moving or dropping it is no change.</summary>
    private static string Plain(string token) => token.Trim().TrimEnd(',', ';', ':', '.').ToLowerInvariant() switch
    {
        "five" => "5",
        "1,000" => "1000",
        "3.50" => "3.5",
        "please" => "",
        var plain => plain,
    };

    private static string Render(List<string> tokens) => string.Join(' ', tokens) + "?";

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
