using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Tests.Data;

public sealed class RoutingDatasetReaderTests
{
    [Fact]
    public void Read_FiltersSplitAndSkipsResponsesWhenAsked()
    {
        var dir = Fixtures.TempDirectory();
        var path = Fixtures.WriteGzipJsonl(dir, "fx.jsonl.gz", Fixtures.Records(4).Concat(Fixtures.Records(3, "dev", 10)));

        var dev = RoutingDatasetReader.Read(path, ["dev"], includeResponses: false).ToList();
        var all = RoutingDatasetReader.Read(path).ToList();

        Assert.Equal(["p10", "p11", "p12"], dev.Select(r => r.Id));
        Assert.Null(dev[0].Outcomes["big"].Response);
        Assert.Equal(120, dev[0].Outcomes["big"].OutputTokensEst);
        Assert.Equal(7, all.Count);
        Assert.Equal("ok", all[0].Outcomes["big"].Response);
        Assert.False(all[1].Outcomes.ContainsKey("mathy") && all[1].Id == "p5");
    }

    [Fact]
    public void ParseSource_ResolvesBareNamesAndSplitSuffix()
    {
        var dir = Fixtures.TempDirectory();
        Fixtures.WriteGzipJsonl(dir, "zeroeval.jsonl.gz", Fixtures.Records(2));

        var (path, splits) = RoutingDatasetReader.ParseSource("zeroeval:train+dev", dir);

        Assert.Equal(Path.Combine(dir, "zeroeval.jsonl.gz"), path);
        Assert.Equal(["train", "dev"], splits);
    }

    [Fact]
    public void PoolExperts_UsesMeanTrainOutputTokensAndListsEveryProblem()
    {
        var dir = Fixtures.TempDirectory();
        var prices = ModelPriceTable.Load(Fixtures.WritePrices(dir));
        var train = Fixtures.Records(10);

        var experts = PoolExperts.Build(new ExpertPool { Name = "p", Experts = ["big", "tiny"] }, prices, train);
        var error = Assert.Throws<InvalidDataException>(() =>
            PoolExperts.Build(new ExpertPool { Name = "p", Experts = ["big", "ghost", "big"] }, prices, train));

        Assert.Equal([120, 80], experts.Select(e => e.ExpectedOutputTokens));
        Assert.Equal(30, experts[0].OutputUsdPerMTok);
        Assert.Contains("ghost", error.Message);
        Assert.Contains("listed twice", error.Message);
    }
}
