using System.Net;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Ensembles;

/// <summary>The ensembles of the shipped configuration, ranked by the shipped IRT router over the simulated ZE-12 experts.</summary>
public sealed class ShippedEnsembleTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayBuilder.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("vote3", "vote", 3)]
    [InlineData("judge3", "judge", 4)]
    [InlineData("moa3", "moa", 4)]
    public async Task ShippedEnsemble_AnswersThroughIrtRanking_AndCountsEveryCall(string name, string mode, int calls)
    {
        using var response = await _gateway.Client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/" + name));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("irt-ze12", EnsembleGateway.Header(response, "x-expertrouter-router"));
        Assert.Equal($"{mode};{name}", EnsembleGateway.Header(response, "x-expertrouter-ensemble"));
        Assert.Equal(calls, EnsembleGateway.Experts(response).Length);
        Assert.All(EnsembleGateway.Experts(response), e => Assert.EndsWith(";ok", e));
        var (content, usage) = await EnsembleGateway.ReadAsync(response);
        Assert.False(string.IsNullOrEmpty(content));
        Assert.True(usage.GetProperty("completion_tokens").GetInt32() > 0);
    }
}
