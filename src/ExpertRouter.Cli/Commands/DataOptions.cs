using System.CommandLine;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Commands;

/// <summary>Options eval and route-batch share.</summary>
internal sealed class DataOptions
{
    public Option<string[]> Train { get; } = new("--train")
    {
        Description = "Training data: sources such as zeroeval:train, a .jsonl(.gz) path with an optional :split, or the gateway's log (log:DIR, log:redis://host:port, with an optional :split); comma-separated or repeated.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> Test { get; } = new("--test")
    {
        Description = "Test data source, e.g. zeroeval:dev, or log:DIR:test for off-policy estimates from logged exploration (eval --cv needs none: it tests on folds of --train).",
    };

    public Option<string> Pool { get; } = new("--pool")
    {
        Description = "Pool file (evals/pools/ze-12.json), pool name (ze-12) or comma-separated expert ids.",
        Required = true,
    };

    public Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = "Where bare source names and models.json are looked up.",
        DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory,
    };

    public Option<string?> Prices { get; } = new("--prices")
    {
        Description = "Price table (models.json schema); default <data-dir>/models.json.",
    };

    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed for every random choice (router training, random router, bootstrap).",
        DefaultValueFactory = _ => 17,
    };

    public Option<double> FeedbackWeight { get; } = new("--feedback-weight")
    {
        Description = "Weight of a logged user score (log sources) in training; 0 leaves feedback out.",
        DefaultValueFactory = _ => LogWeights.Default.Feedback,
    };

    public Option<double> ExplorationWeight { get; } = new("--exploration-weight")
    {
        Description = "Weight of a logged exploration judge score (log sources) in training, times 1/the rate its request was sampled at (at most 10×): an explored request stands for the requests it was drawn from; 0 leaves exploration out.",
        DefaultValueFactory = _ => LogWeights.Default.Exploration,
    };

    public IEnumerable<Option> All => [Train, Test, Pool, DataDirectory, Prices, Seed, FeedbackWeight, ExplorationWeight];

    public LogWeights Weights(ParseResult parse) => new(parse.GetValue(FeedbackWeight), parse.GetValue(ExplorationWeight));

    /// <summary>Loads the training sources alone (cross-validation folds them), the pool and its price table.</summary>
    public CrossValidationInputs? LoadForCrossValidation(ParseResult parse, string command)
    {
        try
        {
            return CrossValidationInputs.Load(parse.GetValue(Train)!, parse.GetValue(Pool)!, parse.GetValue(DataDirectory)!, parse.GetValue(Prices));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"{command}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Loads the inputs; bad input (missing file, unpriced expert, overlap) is printed and returns null.</summary>
    public EvaluationInputs? Load(ParseResult parse, bool testOutcomes, string command)
    {
        if (parse.GetValue(Test) is null)
        {
            Console.Error.WriteLine($"{command}: --test is required.");
            return null;
        }

        try
        {
            return EvaluationInputs.Load(
                parse.GetValue(Train)!, parse.GetValue(Test)!, parse.GetValue(Pool)!, parse.GetValue(DataDirectory)!,
                parse.GetValue(Prices), testOutcomes, Weights(parse), message => Console.Error.WriteLine($"{command}: {message}"));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"{command}: {ex.Message}");
            return null;
        }
    }
}
