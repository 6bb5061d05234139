using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExpertRouter.Simulation.Tests;

/// <summary>Thin HTTP helpers over a running simulator: post JSON, read JSON, read SSE events.</summary>
internal static class SimulatorClient
{
    public static HttpClient For(SimulatedExpertServer server) => new() { BaseAddress = new Uri(server.BaseAddress + "/"), Timeout = TimeSpan.FromSeconds(30) };

    public static JsonObject Chat(string model, string userText, Action<JsonObject>? customise = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userText }),
        };
        customise?.Invoke(body);
        return body;
    }

    public static HttpRequestMessage Post(string path, JsonNode body, string? fault = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (fault is not null)
        {
            request.Headers.Add("x-simulator-fault", fault);
        }

        return request;
    }

    public static async Task<(HttpResponseMessage Response, JsonNode Json)> PostJsonAsync(this HttpClient client, string path, JsonNode body, string? fault = null)
    {
        var response = await client.SendAsync(Post(path, body, fault));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response, json);
    }

    /// <summary>The payload of every <c>data:</c> line until the stream ends; throws when the stream is cut.</summary>
    public static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response, List<string>? received = null)
    {
        received ??= [];
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                received.Add(line["data: ".Length..]);
            }
        }

        return received;
    }

    public static async Task<List<string>> StreamAsync(this HttpClient client, JsonObject body, string? fault = null)
    {
        body["stream"] = true;
        var response = await client.SendAsync(Post("chat/completions", body, fault), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await ReadEventsAsync(response);
    }

    /// <summary>The content (or tool-call arguments) joined from the content events of a stream.</summary>
    public static string JoinDeltas(IEnumerable<string> events, bool toolArguments = false)
    {
        var text = new StringBuilder();
        foreach (var payload in events.Where(e => e != "[DONE]"))
        {
            var choices = JsonNode.Parse(payload)!["choices"]!.AsArray();
            if (choices.Count == 0)
            {
                continue;
            }

            var delta = choices[0]!["delta"]!;
            var piece = toolArguments ? delta["tool_calls"]?[0]?["function"]?["arguments"] : delta["content"];
            if (piece is not null && piece.GetValueKind() == JsonValueKind.String)
            {
                text.Append(piece.GetValue<string>());
            }
        }

        return text.ToString();
    }

    /// <summary>The <c>event:</c> name and parsed <c>data:</c> of every event of a Responses or Messages stream.</summary>
    public static async Task<List<(string Event, JsonNode Data)>> ReadNamedEventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string, JsonNode)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.NotNull(name);
                events.Add((name, JsonNode.Parse(line["data: ".Length..])!));
                name = null;
            }
        }

        return events;
    }

    public static async Task<List<(string Event, JsonNode Data)>> StreamNamedAsync(this HttpClient client, string path, JsonObject body, string? fault = null)
    {
        body["stream"] = true;
        var response = await client.SendAsync(Post(path, body, fault), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return await ReadNamedEventsAsync(response);
    }

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, string body) =>
        client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    public static JsonContent AsContent(JsonNode node) => JsonContent.Create(node);
}
