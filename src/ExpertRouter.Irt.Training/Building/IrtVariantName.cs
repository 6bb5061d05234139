using System.Globalization;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// IRT router variants by name, so a cross-validation can compare settings without code changes and its table names
/// exactly what was run: <c>irt-{pool|all}-{encoder}</c> ('-' for '+' in the encoder, which router lists keep for
/// blends), optionally followed by <c>@key=value;key=value</c> with keys epochs, dropout, lr, wd, dim (embedding
/// size), k (ability dimensions), members, linear (true/false), buckets, words (longest word n-gram), chars (character
/// n-gram lengths, <c>3-5</c>), and the reading policy's messages
/// (last-user, user, all), system (true/false), tokens (maxTokens), truncate (head, tail, head-tail: '-' for '+')
/// and features (maxFeatures). <c>irt@…</c> changes the defaults' settings.
/// </summary>
public static class IrtVariantName
{
    public static IrtRouterTrainer? TryParse(string name, out string? error)
    {
        error = null;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        var stem = at < 0 ? name : name[..at];
        var trainer = Stem(stem);
        if (trainer is null)
        {
            return null;
        }

        var options = trainer.Options;
        var (members, hashed, reads) = (trainer.Members, trainer.Hashed, trainer.Reads);
        var problems = new List<string>();
        foreach (var pair in (at < 0 ? "" : name[(at + 1)..]).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq < 0 ? (pair, "") : (pair[..eq], pair[(eq + 1)..]);
            var number = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : double.NaN;
            switch (key)
            {
                case "epochs" when double.IsFinite(number): options = options with { Epochs = (int)number }; break;
                case "dropout" when double.IsFinite(number): options = options with { FeatureDropout = (float)number }; break;
                case "lr" when double.IsFinite(number): options = options with { LearningRate = (float)number }; break;
                case "wd" when double.IsFinite(number): options = options with { WeightDecay = (float)number }; break;
                case "dim" when double.IsFinite(number): options = options with { EmbeddingSize = (int)number }; break;
                case "k" when double.IsFinite(number): options = options with { AbilityDimensions = (int)number }; break;
                case "members" when double.IsFinite(number): members = (int)number; break;
                case "buckets" when double.IsFinite(number): hashed = hashed with { Buckets = (int)number }; break;
                case "words" when double.IsFinite(number): hashed = hashed with { WordNgramMax = (int)number }; break;
                case "chars" when CharRange(value) is var (min, max): hashed = hashed with { CharNgramMin = min, CharNgramMax = max }; break;
                case "linear" when bool.TryParse(value, out var on): options = options with { ExpertLinear = on }; break;
                case var _ when ApplyReading(reads, key, value) is { } read: reads = read; break;
                default: problems.Add($"'{pair}'"); break;
            }
        }

        problems.AddRange(reads.Validate().Select(e => $"'{e}'"));
        problems.AddRange(hashed.Validate().Select(e => $"'{e}'"));
        if (problems.Count > 0)
        {
            error = $"{name}: unknown or malformed setting(s) {string.Join(", ", problems)}.";
            return null;
        }

        return new IrtRouterTrainer
        {
            Name = name,
            Encoder = trainer.Encoder,
            ItemsFromAllModels = trainer.ItemsFromAllModels,
            Options = options,
            Members = members,
            Hashed = hashed,
            Reads = reads,
        };
    }

    /// <summary>
    /// A reading policy written as <c>key=value;…</c> with the keys messages, system, tokens, truncate and features
    /// (what <c>train --reads</c> takes), starting from the default policy.
    /// </summary>
    public static (ReadingPolicy? Policy, string? Error) ParseReading(string text)
    {
        var reads = ReadingPolicy.Default;
        var problems = new List<string>();
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq < 0 ? (pair, "") : (pair[..eq], pair[(eq + 1)..]);
            if (ApplyReading(reads, key, value) is { } read)
            {
                reads = read;
            }
            else
            {
                problems.Add($"'{pair}'");
            }
        }

        problems.AddRange(reads.Validate().Select(e => $"'{e}'"));
        return problems.Count == 0 ? (reads, null) : (null, $"unknown or malformed reading setting(s) {string.Join(", ", problems)}.");
    }

    /// <summary>The policy with one reading setting changed, or null when the key is not a reading setting or its value is malformed.</summary>
    private static ReadingPolicy? ApplyReading(ReadingPolicy reads, string key, string value)
    {
        var number = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        // Router lists keep '+' for blends, so names write head+tail as head-tail.
        var truncate = value.Replace('-', '+');
        return key switch
        {
            "messages" when value is ReadingPolicy.LastUser or ReadingPolicy.UserMessages or ReadingPolicy.AllMessages => reads with { Messages = value },
            "system" when bool.TryParse(value, out var system) => reads with { System = system },
            "tokens" when number is not null => reads with { MaxTokens = number },
            "truncate" when truncate is ReadingPolicy.Head or ReadingPolicy.Tail or ReadingPolicy.HeadAndTail => reads with { Truncate = truncate },
            "features" when number is not null => reads with { MaxFeatures = number },
            _ => null,
        };
    }

    /// <summary>A character n-gram range written <c>min-max</c> (or one length), or null when malformed.</summary>
    public static (int Min, int Max)? CharRange(string value)
    {
        var parts = value.Split('-');
        return parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
            ? (min, max)
            : null;
    }

    private static IrtRouterTrainer? Stem(string stem)
    {
        if (stem == IrtRouterTrainer.RouterName)
        {
            return new IrtRouterTrainer();
        }

        var parts = stem.Split('-', 3);
        if (parts.Length != 3 || parts[0] != IrtRouterTrainer.RouterName || parts[1] is not ("pool" or "all"))
        {
            return null;
        }

        var encoder = parts[2].StartsWith("hashed-", StringComparison.Ordinal) ? "hashed+" + parts[2]["hashed-".Length..] : parts[2];
        return PromptFeaturizers.Parse(encoder, IrtDefaults.Hashed).Spec is null
            ? null
            : new IrtRouterTrainer { Encoder = encoder, ItemsFromAllModels = parts[1] == "all" };
    }
}
