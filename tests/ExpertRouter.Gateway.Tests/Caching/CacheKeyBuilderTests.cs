using System.Text;
using ExpertRouter.Gateway.Caching;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class CacheKeyBuilderTests
{
    private static CacheKeys Keys(string json, string tenant = "t1", bool scope = false) =>
        CacheKeyBuilder.Build(tenant, Encoding.UTF8.GetBytes(json), scope);

    [Fact]
    public void Build_KeyOrderSpacingAndEscapes_DoNotChangeKey()
    {
        var a = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"héllo"}]}""");
        var b = Keys("""{ "messages" : [ { "content" : "h\u00e9llo", "role" : "user" } ], "temperature" : 0.0, "model" : "auto" }""");

        Assert.Equal(a.Exact, b.Exact);
    }

    [Fact]
    public void Build_DeliveryFields_DoNotChangeKey()
    {
        var plain = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"x"}]}""");
        var streamed = Keys("""{"model":"auto","temperature":0,"stream":true,"stream_options":{"include_usage":true},"user":"u-42","messages":[{"role":"user","content":"x"}]}""");

        Assert.Equal(plain.Exact, streamed.Exact);
        Assert.False(plain.IncludeUsage);
        Assert.True(streamed.IncludeUsage);
    }

    [Theory]
    [InlineData("""{"model":"router/cheapest","temperature":0,"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"y"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"max_tokens":5,"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"seed":7,"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"response_format":{"type":"json_object"},"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"x"}]}""")]
    public void Build_AnswerChangingField_ChangesKey(string other)
    {
        var baseline = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"x"}]}""");

        Assert.NotEqual(baseline.Exact, Keys(other).Exact);
    }

    [Fact]
    public void Build_SameRequestOtherTenant_ChangesKeyAndScope()
    {
        const string json = """{"model":"auto","temperature":0,"messages":[{"role":"user","content":"x"}]}""";

        Assert.NotEqual(Keys(json, "t1", scope: true).Exact, Keys(json, "t2", scope: true).Exact);
        Assert.NotEqual(Keys(json, "t1", scope: true).Scope, Keys(json, "t2", scope: true).Scope);
    }

    [Theory]
    [InlineData("""{"model":"auto","temperature":0,"messages":[]}""", true)]
    [InlineData("""{"model":"auto","temperature":0.0,"messages":[]}""", true)]
    [InlineData("""{"model":"auto","messages":[]}""", false)]
    [InlineData("""{"model":"auto","temperature":0.7,"messages":[]}""", false)]
    [InlineData("""{"model":"auto","temperature":null,"messages":[]}""", false)]
    public void Build_Deterministic_OnlyWithTemperatureZero(string json, bool deterministic) =>
        Assert.Equal(deterministic, Keys(json).Deterministic);

    [Fact]
    public void Build_Scope_IgnoresOnlyTheLastUserMessage()
    {
        var a = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"Capital of France?"}]}""", scope: true);
        var b = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"capital of france"}]}""", scope: true);
        var otherHistory = Keys("""{"model":"auto","temperature":0,"messages":[{"role":"user","content":"second"},{"role":"assistant","content":"ok"},{"role":"user","content":"Capital of France?"}]}""", scope: true);
        var otherModel = Keys("""{"model":"gpt-4o-2024-08-06","temperature":0,"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"Capital of France?"}]}""", scope: true);

        Assert.NotEqual(a.Exact, b.Exact);
        Assert.Equal(a.Scope, b.Scope);
        Assert.NotEqual(a.Scope, otherHistory.Scope);
        Assert.NotEqual(a.Scope, otherModel.Scope);
        Assert.NotEqual(a.Scope, a.Exact);
    }

    [Theory]
    [InlineData("""{"model":"auto","temperature":0,"foo":1e999,"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"top_p":1e400,"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"auto","temperature":0,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"type":"number","maximum":1e999}}}}}],"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"ensemble/vote3","temperature":1e400,"messages":[{"role":"user","content":"x"}]}""")]
    public void Build_NumberNoDoubleCanHold_KeysItLosslessly(string json)
    {
        var keys = Keys(json, scope: true);
        var neighbour = Keys(json.Replace("e999", "e998", StringComparison.Ordinal).Replace("e400", "e399", StringComparison.Ordinal), scope: true);

        Assert.NotEqual(neighbour.Exact, keys.Exact);
        Assert.NotEqual(neighbour.Scope, keys.Scope);
    }

    [Fact]
    public void Build_TemperatureNoDoubleCanHold_IsNotDeterministic() =>
        Assert.False(Keys("""{"model":"auto","temperature":1e400,"messages":[{"role":"user","content":"x"}]}""").Deterministic);

    [Fact]
    public void Build_Scope_KeepsTheLastUserMessagesAttachments()
    {
        static string Message(string content) => $$"""{"model":"auto","temperature":0,"messages":[{"role":"user","content":{{content}}}]}""";
        const string Text = """{"type":"text","text":"What is in this picture?"}""";
        static string Image(string name) => """{"type":"image_url","image_url":{"url":"https://example.com/""" + name + """.png"}}""";
        var cat = Keys(Message($"[{Text},{Image("cat")}]"), scope: true);
        var dog = Keys(Message($"[{Text},{Image("dog")}]"), scope: true);
        var textOnly = Keys(Message("\"What is in this picture?\""), scope: true);
        var textParts = Keys(Message($"[{Text}]"), scope: true);
        var catReworded = Keys(Message("""[{"type":"text","text":"what is in this picture"},""" + Image("cat") + "]"), scope: true);

        Assert.NotEqual(cat.Scope, dog.Scope);
        Assert.NotEqual(cat.Scope, textOnly.Scope);
        Assert.Equal(textOnly.Scope, textParts.Scope);
        Assert.Equal(cat.Scope, catReworded.Scope);
    }
}
