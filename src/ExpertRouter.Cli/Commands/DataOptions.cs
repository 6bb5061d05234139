using System.CommandLine;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Cli.Commands;

/// <summary>Options eval and route-batch share.</summary>
internal sealed class DataOptions
{
    public Option<string[]> Train { get; } = new("--train")
    {
        Description = "Training data: sources such as zeroeval:train or a .jsonl(.gz) path with an optional :split; comma-separated or repeated.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> Test { get; } = new("--test")
    {
        Description = "Test data source, e.g. zeroeval:dev (eval --cv needs none: it tests on folds of --train).",
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

    public IEnumerable<Option> All => [Train, Test, Pool, DataDirectory, Prices, Seed];

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
                parse.GetValue(Prices), testOutcomes);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"{command}: {ex.Message}");
            return null;
        }
    }
}
