using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Routing;

/// <summary>The registry's swaps, with a fake router per folder: what a reload loads, keeps, rejects and disposes.</summary>
public sealed class RouterRegistryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<FakeRouter> _loaded = [];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ChangedFolder_SwapsIn_AndTheOldRouterIsDisposedAfterTheRequestsInFlight()
    {
        Write("fake", "1");
        await using var registry = Registry();
        Assert.True(registry.TryAcquire("fake", out var inFlight));

        Write("fake", "22");
        var result = registry.Reload();
        Assert.True(registry.TryAcquire("fake", out var next));

        var (old, fresh) = ((FakeRouter)inFlight.Router, (FakeRouter)next.Router);
        Assert.Equal(("22", "22"), (Assert.Single(result.Loaded).Version, next.Version));
        Assert.NotSame(old, fresh);
        Assert.False(old.Disposed.Task.IsCompleted, "The old router was disposed while a request still held it.");
        next.Dispose();
        inFlight.Dispose();
        await old.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(fresh.Disposed.Task.IsCompleted);
    }

    [Fact]
    public async Task BadFolder_IsRejectedWithItsErrors_AndTheLastGoodKeepsServing()
    {
        Write("fake", "1");
        await using var registry = Registry();

        File.WriteAllText(Path.Combine(_folder.Path, "broken"), "yes");
        var result = registry.Reload();

        var rejection = Assert.Single(result.Rejected);
        Assert.Contains("the folder is broken", rejection.Errors.Single());
        var state = registry.States().Single(s => s.Name == "fake");
        Assert.Equal(("1", "folder"), (state.Version, state.Kind));
        Assert.Contains("the folder is broken", state.Errors.Single());
        Assert.True(registry.TryAcquire("fake", out var lease));
        using (lease)
        {
            Assert.Equal("1", lease.Version);
        }
    }

    [Fact]
    public async Task RenamedRouter_IsRejected_SoPoliciesNeverLoseTheirRouter()
    {
        Write("fake", "1");
        await using var registry = Registry();

        Write("renamed", "2");
        var result = registry.Reload();

        Assert.Contains("keeps a router's name", Assert.Single(result.Rejected).Errors.Single());
        Assert.Equal(["cheapest", "fake"], registry.Names.Order(StringComparer.Ordinal));
        // The router the folder now makes was loaded, refused, and disposed.
        await _loaded[^1].Disposed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task UnchangedFolder_IsNotLoadedAgain()
    {
        Write("fake", "1");
        await using var registry = Registry();

        var result = registry.Reload();

        Assert.Empty(result.Loaded);
        Assert.Single(result.Unchanged);
        Assert.Single(_loaded);
    }

    [Fact]
    public async Task HalfWrittenManifest_IsRejected_WithEveryProblemNamed()
    {
        Write("fake", "1");
        await using var registry = Registry();

        File.WriteAllText(Path.Combine(_folder.Path, "router.json"), """{"format":"expertrouter-irt/0","name":"fake","experts":[]}""");
        var errors = Assert.Single(registry.Reload().Rejected).Errors;

        Assert.Equal(["format must be 'expertrouter-irt/1'.", "encoder must be an object.", "experts must list at least one expert."], errors);
        Assert.Single(_loaded);
    }

    [Fact]
    public async Task LabelsOf_ReadsEachExpertsCount_FromTheServingFolder_AndFollowsASwap()
    {
        Write("fake", "1", """[{"id":"a","labels":1200},{"id":"b","labels":90},{"id":"c"}]""");
        await using var registry = Registry();

        Assert.Equal(new Dictionary<string, int> { ["a"] = 1200, ["b"] = 90 }, registry.LabelsOf("fake"));
        Assert.Empty(registry.LabelsOf("cheapest"));
        Assert.Empty(registry.LabelsOf("no-such-router"));

        Write("fake", "2", """[{"id":"a","labels":1300},{"id":"b","labels":700}]""");
        registry.Reload();

        Assert.Equal(new Dictionary<string, int> { ["a"] = 1300, ["b"] = 700 }, registry.LabelsOf("fake"));
    }

    [Fact]
    public void FolderThatDoesNotLoadAtStartUp_IsAStartUpError()
    {
        Write("fake", "1");
        File.WriteAllText(Path.Combine(_folder.Path, "broken"), "yes");

        var registry = Registry();

        Assert.Contains("the folder is broken", Assert.Single(registry.StartupErrors));
        Assert.DoesNotContain("fake", registry.Names);
    }

    private RouterRegistry Registry() => new(
        [new CheapestRouter()], [new RouterFolderSource(_folder.Path, new OnnxServingOptions())], Load, TimeProvider.System, NullLogger.Instance);

    private IRouter Load(string folder, OnnxServingOptions serving)
    {
        if (File.Exists(Path.Combine(folder, "broken")))
        {
            throw new InvalidDataException("the folder is broken");
        }

        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "router.json")));
        var router = new FakeRouter(manifest.RootElement.GetProperty("name").GetString()!);
        _loaded.Add(router);
        return router;
    }

    /// <summary>A router.json the registry's checks accept (the fake loader reads only the name), and a model file.</summary>
    private void Write(string name, string version, string experts = """[{"id":"e"}]""")
    {
        File.WriteAllText(Path.Combine(_folder.Path, "model.onnx"), "");
        File.WriteAllText(Path.Combine(_folder.Path, "router.json"),
            $$"""{"format":"expertrouter-irt/1","name":"{{name}}","version":"{{version}}","encoder":{},"experts":{{experts}}}""");
    }

    private sealed class FakeRouter(string name) : IRouter, IAsyncDisposable
    {
        public string Name { get; } = name;

        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask EstimateQualityAsync(RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            quality.Span[..candidates.Count].Fill(0.5);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
