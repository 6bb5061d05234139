using System.Net;
using System.Text;
using System.Text.Json;
using static ExpertRouter.Gateway.Tests.Functional.CacheTestRequests;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// The semantic tenant ("other", threshold 0.5) end to end: swapped words and other images are misses that reach the
/// expert; the same question reworded only in case and punctuation, with the same image, is still a hit.
/// </summary>
public sealed class SemanticCacheVerificationTests : IAsyncLifetime
{
    private RecordingUpstream _upstream = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _other = null!;

    public async Task InitializeAsync()
    {
        _upstream = await RecordingUpstream.StartAsync();
        _gateway = await GatewayBuilder.StartAsync(Settings(_upstream));
        _other = _gateway.CreateClient(OtherKey);
    }

    public async Task DisposeAsync()
    {
        _other.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("Convert 5 km to miles", "Convert 5 miles to km")]
    [InlineData("Did Alice sue Bob over the contract?", "Did Bob sue Alice over the contract?")]
    [InlineData("Is a dog bigger than a cat?", "Is a cat bigger than a dog?")]
    [InlineData("buy Tesla and sell Apple", "buy Apple and sell Tesla")]
    public async Task SwappedWordOrder_IsMiss_AndReachesTheExpert(string stored, string asked)
    {
        Assert.Equal("miss", await AskAsync(Chat(stored)));
        Assert.Equal("miss", await AskAsync(Chat(asked)));
        Assert.Equal("semantic-hit", await AskAsync(Chat(stored.ToLowerInvariant())));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task OtherImageOrNoImage_IsMiss_SameImageRewordedIsHit()
    {
        Assert.Equal("miss", await AskAsync(WithImage("What is in this picture?", "cat")));
        Assert.Equal("miss", await AskAsync(WithImage("What is in this picture?", "dog")));
        Assert.Equal("miss", await AskAsync(Chat("What is in this picture?")));
        Assert.Equal("semantic-hit", await AskAsync(WithImage("what is in this picture", "cat")));
        Assert.Equal(3, _upstream.Requests.Count);
    }

    private static StringContent WithImage(string text, string image) => new(
        """{"model":"recorder","temperature":0,"messages":[{"role":"user","content":[{"type":"text","text":""" + JsonSerializer.Serialize(text)
        + """},{"type":"image_url","image_url":{"url":"https://example.com/""" + image + """.png"}}]}]}""",
        Encoding.UTF8, "application/json");

    private async Task<string> AskAsync(StringContent content)
    {
        using var response = await _other.PostAsync("/v1/chat/completions", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SettledAsync(_gateway);
        return CacheResult(response);
    }
}
