using System.Text;

namespace ExpertRouter.Soak;

/// <summary>
/// The traffic mix: routed chat, streamed chat, a named expert, embeddings, and a slice with injected faults
/// (the simulator's override header) so retries, fallbacks and stream error events stay exercised.
/// </summary>
internal static class SoakTraffic
{
    private static readonly string[] Prompts =
    [
        "What is 17 * 23?", "Summarise the plot of Hamlet in two sentences.", "Write a haiku about routers.",
        "Explain the CAP theorem briefly.", "Translate 'good morning' to French.", "List three prime numbers above 100.",
    ];

    private static readonly string[] Faults = ["status;code=503", "status;code=429;retry-after=0", "reset", "midstream-cut;after=3", "delay;ms=50"];

    public static HttpRequestMessage Next(Random random)
    {
        var prompt = Prompts[random.Next(Prompts.Length)] + " #" + random.Next(1000);
        var roll = random.Next(100);
        var request = roll switch
        {
            < 45 => Chat("auto", prompt, stream: false),
            < 70 => Chat("auto", prompt, stream: true),
            < 80 => Chat("gpt-4o-mini-2024-07-18", prompt, stream: false),
            < 90 => Post("/v1/embeddings", $$"""{"model":"text-embedding-sim","input":"{{prompt}}"}"""),
            _ => Chat("router/cheapest", prompt, stream: random.Next(2) == 0),
        };
        if (roll >= 95)
        {
            request.Headers.TryAddWithoutValidation("x-simulator-fault", Faults[random.Next(Faults.Length)]);
        }

        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-expertrouter-demo");
        return request;
    }

    private static HttpRequestMessage Chat(string model, string prompt, bool stream) =>
        Post("/v1/chat/completions", $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{prompt}}"}]}""");

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
