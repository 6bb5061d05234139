using System.Globalization;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// IRT router variants by name, so a cross-validation can compare settings without code changes and its table names
/// exactly what was run: <c>irt-{pool|all}-{encoder}</c> ('-' for '+' in the encoder, which router lists keep for
/// blends), optionally followed by <c>@key=value;key=value</c> with keys epochs, dropout, lr, wd, dim (embedding
/// size), k (ability dimensions), members, linear (true/false), buckets. <c>irt@…</c> changes the defaults' settings.
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
        var (members, hashed) = (trainer.Members, trainer.Hashed);
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
                case "linear" when bool.TryParse(value, out var on): options = options with { ExpertLinear = on }; break;
                default: problems.Add($"'{pair}'"); break;
            }
        }

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
        };
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
