using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using ExpertRouter.Cli.Commands;

namespace ExpertRouter.Cli.Tests.Commands;

/// <summary>
/// A temporary data directory with generated routing files: "math" prompts that only "big" and "mathy" get right,
/// "code" prompts that only "big" (and sometimes "tiny") get right; prices in models.json.
/// </summary>
internal sealed class CliFixture : IDisposable
{
    public CliFixture()
    {
        Directory.CreateDirectory(Root);
        Write("fx.jsonl.gz", Enumerable.Range(0, 40).Select(i => Record(i, "train")), strip: false);
        Write("fx-test.jsonl.gz", Enumerable.Range(100, 8).Select(i => Record(i, "dev")), strip: false);
        Write("fx-test-stripped.jsonl.gz", Enumerable.Range(100, 8).Select(i => Record(i, "dev")), strip: true);
        File.WriteAllText(Path.Combine(Root, "models.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["big"] = new { input_usd_per_mtok = 10.0, output_usd_per_mtok = 30.0 },
            ["mathy"] = new { input_usd_per_mtok = 1.0, output_usd_per_mtok = 2.0 },
            ["tiny"] = new { input_usd_per_mtok = 0.1, output_usd_per_mtok = 0.2 },
        }));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "er-cli-tests-" + Guid.NewGuid().ToString("N"));

    public string Path_(string name) => Path.Combine(Root, name);

    public static async Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return await root.Parse(args).InvokeAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static object Record(int i, string split)
    {
        var math = i % 2 == 0;
        var prompt = math ? $"Add {i} and {i + 2}: integer arithmetic sum numbers." : $"What does this python code print {i}? def f(s): return s[::-1]";
        var outcomes = new Dictionary<string, object>
        {
            ["big"] = new { score = 1.0, output_tokens_est = 100, response = "r" },
            ["mathy"] = new { score = math ? 1.0 : 0.0, output_tokens_est = 100, response = "r" },
            ["tiny"] = new { score = i % 3 == 0 ? 1.0 : 0.0, output_tokens_est = 100, response = "r" },
        };
        return new { id = $"q{i}", benchmark = "fx", task = math ? "math" : "code", split, prompt, reference = (string?)null, outcomes };
    }

    private void Write(string name, IEnumerable<object> records, bool strip)
    {
        using var file = File.Create(Path.Combine(Root, name));
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip);
        foreach (var record in records)
        {
            var json = JsonSerializer.SerializeToNode(record)!;
            if (strip)
            {
                json.AsObject().Remove("outcomes");
            }

            writer.WriteLine(json.ToJsonString());
        }
    }
}
