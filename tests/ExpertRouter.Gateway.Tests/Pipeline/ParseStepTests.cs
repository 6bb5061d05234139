using System.Text;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Tests.RequestLog;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Tests.Pipeline;

public sealed class ParseStepTests
{
    private bool _nextCalled;

    private ParseStep Step(long limit = 1 << 20) =>
        new(_ => { _nextCalled = true; return Task.CompletedTask; }, Options.Create(new GatewayOptions { MaxRequestBodyBytes = limit }), RequestLogs.Disabled());

    private static DefaultHttpContext Context(string path, string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = Encoding.UTF8.GetByteCount(body);
        context.Request.ContentType = "application/json";
        context.Response.Body = new MemoryStream();
        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(new TenantPolicy { Id = "t" }, "req"));
        return context;
    }

    [Fact]
    public async Task ChatBody_IsParsedOnce_IntoTheFeature()
    {
        var context = Context("/v1/chat/completions", """{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        await Step().InvokeAsync(context);

        Assert.True(_nextCalled);
        var request = context.Feature().Request!;
        Assert.Equal((OpenAIEndpoint.ChatCompletions, "auto", true, "hi"), (request.Endpoint, request.Model, request.Stream, request.Prompt));
    }

    [Fact]
    public async Task EmbeddingsPath_IsAnEmbeddingsRequest()
    {
        var context = Context("/v1/embeddings", """{"model":"e","input":"text"}""");

        await Step().InvokeAsync(context);

        Assert.Equal(OpenAIEndpoint.Embeddings, context.Feature().Request!.Endpoint);
    }

    [Theory]
    [InlineData("{not json", 400, "invalid_json")]
    [InlineData("""{"model":"auto","messages":[]}""", 400, "empty_array")]
    public async Task BadBody_IsTheClientsError_AndGoesNoFurther(string body, int status, string code)
    {
        var context = Context("/v1/chat/completions", body);

        await Step().InvokeAsync(context);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Contains(code, context.Body());
        Assert.False(_nextCalled);
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413()
    {
        var context = Context("/v1/chat/completions", """{"model":"auto","messages":[{"role":"user","content":"a long enough question"}]}""");

        await Step(limit: 16).InvokeAsync(context);

        Assert.Equal(413, context.Response.StatusCode);
        Assert.False(_nextCalled);
    }
}
