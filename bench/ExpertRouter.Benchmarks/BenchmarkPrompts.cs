using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Benchmarks;

/// <summary>Real dev prompts when ../shared/data is present, otherwise generated ones of similar length.</summary>
internal static class BenchmarkPrompts
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ExpertRouter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmarks from inside the ExpertRouter repository.");
    }

    public static string[] Load(int count)
    {
        var data = Path.Combine(RepositoryRoot(), RoutingDatasetReader.DefaultDataDirectory, "zeroeval.jsonl.gz");
        if (File.Exists(data))
        {
            var prompts = RoutingDatasetReader.Read(data, "dev").Select(r => r.Prompt).ToArray();
            return Enumerable.Range(0, count).Select(i => prompts[i % prompts.Length]).ToArray();
        }

        var random = new Random(1);
        string[] words = ["compute", "the", "value", "of", "x", "given", "that", "3", "apples", "function", "return", "list", "answer", "json"];
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 180).Select(_ => words[random.Next(words.Length)])))
            .ToArray();
    }
}
