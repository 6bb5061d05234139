using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Protocols;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>Deterministic ids, canned expert answers (whole and streamed), and readers of what the translators write.</summary>
internal static class ProtocolTestKit
{
    /// <summary>Ids whose 32 hex digits count up from 1: resp_000…001, msg_000…002, and so on.</summary>
    public static ProtocolIds SequentialIds()
    {
        var next = 0L;
        return new ProtocolIds(() =>
        {
            var bytes = new byte[16];
            BitConverter.GetBytes(Interlocked.Increment(ref next)).CopyTo(bytes, 8);
            return new Guid(bytes);
        });
    }

    /// <summary>Compares JSON as the translators write it: UTF-8 text, no \u escapes for '+' or quotes.</summary>
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static JsonNode Json(byte[] body) => JsonNode.Parse(body)!;

    public static string Completion(string message, string finishReason = "stop", string usage = """{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}""") =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"expert-a","choices":[{"index":0,"message":{{message}},"finish_reason":"{{finishReason}}"}],"usage":{{usage}}}""";

    public static string TextChunk(string text) => Chunk(new JsonObject { ["content"] = text }.ToJsonString());

    public static string RefusalChunk(string text) => Chunk(new JsonObject { ["refusal"] = text }.ToJsonString());

    public static string ToolChunk(int index, string? id, string? name, string arguments)
    {
        var call = new JsonObject { ["index"] = index };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        var function = new JsonObject();
        if (name is not null)
        {
            function["name"] = name;
        }

        function["arguments"] = arguments;
        call["function"] = function;
        return Chunk(new JsonObject { ["tool_calls"] = new JsonArray(call) }.ToJsonString());
    }

    public static string FinishChunk(string reason, string? matchedStop = null)
    {
        var choice = new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = reason };
        if (matchedStop is not null)
        {
            choice["stop_reason"] = matchedStop;
        }

        return new JsonObject { ["id"] = "c1", ["object"] = "chat.completion.chunk", ["model"] = "expert-a", ["choices"] = new JsonArray(choice) }.ToJsonString();
    }

    public static string UsageChunk(int prompt, int completion) => new JsonObject
    {
        ["id"] = "c1",
        ["object"] = "chat.completion.chunk",
        ["model"] = "expert-a",
        ["choices"] = new JsonArray(),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = prompt,
            ["completion_tokens"] = completion,
            ["total_tokens"] = prompt + completion,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 3 },
        },
    }.ToJsonString();

    /// <summary>An expert's SSE body: one <c>data:</c> event per chunk, then <c>[DONE]</c> unless told otherwise.</summary>
    public static string Sse(IEnumerable<string> chunks, bool done = true) =>
        string.Concat(chunks.Select(chunk => $"data: {chunk}\n\n")) + (done ? "data: [DONE]\n\n" : "");

    /// <summary>Feeds <paramref name="sse"/> to a translator in pieces of <paramref name="chunkSize"/> bytes, then completes it.</summary>
    public static async Task FeedAsync(ChatStreamTranslator translator, string sse, int chunkSize, bool complete = true)
    {
        var bytes = Utf8(sse);
        for (var offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            await translator.WriteAsync(bytes.AsMemory(offset, Math.Min(chunkSize, bytes.Length - offset)));
        }

        if (complete)
        {
            await translator.CompleteAsync();
        }
    }

    /// <summary>Every event a translator wrote, as (event name, parsed data); asserts each has both and the name is its type.</summary>
    public static List<(string Event, JsonNode Data)> Events(MemoryStream client)
    {
        var text = Encoding.UTF8.GetString(client.ToArray());
        var events = new List<(string, JsonNode)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0]);
            Assert.StartsWith("data: ", lines[1]);
            var name = lines[0]["event: ".Length..];
            var data = JsonNode.Parse(lines[1]["data: ".Length..])!;
            Assert.Equal(name, data["type"]!.GetValue<string>());
            events.Add((name, data));
        }

        Assert.EndsWith("\n\n", text);
        return events;
    }

    private static string Chunk(string delta) =>
        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"expert-a\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}";
}
