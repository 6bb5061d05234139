using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt;

/// <summary>
/// Generated routing data with planted abilities: three topics with their own vocabulary, plus "hard" prompts that
/// carry extra words; expert e answers topic t correctly with probability σ(Ability[e][t] − 1.5·hard).
/// </summary>
internal static class SyntheticRouting
{
    public static readonly string[] Topics = ["algebra", "biology", "history"];

    private static readonly string[][] Vocabulary =
    [
        ["equation", "solve", "integer", "variable", "polynomial", "root", "factor", "sum"],
        ["cell", "protein", "enzyme", "membrane", "gene", "organism", "photosynthesis", "tissue"],
        ["empire", "treaty", "dynasty", "revolution", "century", "king", "war", "colony"],
    ];

    /// <summary>Logit-scale ability of each expert (rows) on each topic (columns).</summary>
    public static readonly double[][] Ability =
    [
        [3.0, 3.0, 3.0],    // strong: good at everything
        [2.5, -1.5, -1.0],  // mathy
        [-1.0, 2.0, -0.5],  // bio
        [-1.5, -2.5, 1.5],  // historian
    ];

    public static IReadOnlyList<ExpertDefinition> Experts { get; } =
    [
        new() { Id = "strong", InputUsdPerMTok = 10, OutputUsdPerMTok = 30, ExpectedOutputTokens = 100 },
        new() { Id = "mathy", InputUsdPerMTok = 1, OutputUsdPerMTok = 2, ExpectedOutputTokens = 100 },
        new() { Id = "bio", InputUsdPerMTok = 0.5, OutputUsdPerMTok = 1, ExpectedOutputTokens = 100 },
        new() { Id = "historian", InputUsdPerMTok = 0.2, OutputUsdPerMTok = 0.4, ExpectedOutputTokens = 100 },
    ];

    public static IReadOnlyList<RoutingRecord> Records(int count, int seed, string split = "train")
    {
        var random = new Random(seed);
        var records = new RoutingRecord[count];
        for (var i = 0; i < count; i++)
        {
            var topic = i % Topics.Length;
            var hard = random.NextDouble() < 0.3;
            records[i] = new RoutingRecord
            {
                Id = $"{split}-{seed}-{i}",
                Benchmark = "synthetic",
                Task = Topics[topic],
                Split = split,
                Prompt = Prompt(topic, hard, random),
                Outcomes = Experts.Select((e, m) => (e.Id, Outcome(Ability[m][topic] - (hard ? 1.5 : 0), random)))
                    .ToDictionary(p => p.Id, p => p.Item2),
            };
        }

        return records;
    }

    public static string Prompt(int topic, bool hard, Random random)
    {
        var words = Enumerable.Range(0, 12).Select(_ => Vocabulary[topic][random.Next(Vocabulary[topic].Length)]);
        var text = $"Question about {Topics[topic]}: " + string.Join(' ', words);
        return hard ? text + " prove rigorously with multi step derivation" : text + " briefly";
    }

    /// <summary>A small router trained on <see cref="Records"/>: fast enough for unit tests, good enough to route.</summary>
    public static IrtBuild Train(int seed = 5, int members = 1, IReadOnlyList<ExpertDefinition>? experts = null, IProgress<double>? progress = null) =>
        IrtBuild.Run(Request(seed, members, experts, progress));

    /// <summary>The request <see cref="Train"/> runs, for tests that change one of its settings.</summary>
    public static IrtBuildRequest Request(int seed = 5, int members = 1, IReadOnlyList<ExpertDefinition>? experts = null, IProgress<double>? progress = null) =>
        new()
        {
            Train = Records(600, seed),
            Experts = experts ?? Experts,
            Hashed = new HashedNgramOptions { Buckets = 1024 },
            Options = new IrtTrainingOptions { Seed = seed, Epochs = 12, EmbeddingSize = 8, AbilityDimensions = 4, LearningRate = 0.01f },
            Members = members,
            Progress = progress,
        };

    /// <summary>Writes <paramref name="build"/> as a router folder under the temporary directory.</summary>
    public static string WriteFolder(IrtBuild build, string name = "synthetic")
    {
        var folder = Path.Combine(Path.GetTempPath(), "er-irt-tests-" + Guid.NewGuid().ToString("N"));
        IrtRouterFolder.Write(folder, name, build, ["synthetic:train"], dev: null);
        return folder;
    }

    private static RecordedOutcome Outcome(double logit, Random random) => new()
    {
        Score = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0,
        OutputTokensEst = 100,
        Response = "",
    };
}
