using System.Buffers;
using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>Writes a non-streaming <c>chat.completion</c> object, shaped like OpenAI's.</summary>
internal static class ChatCompletionJson
{
    public static void Write(Utf8JsonWriter json, ChatReply reply)
    {
        json.WriteStartObject();
        json.WriteString("id", reply.Id);
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", reply.Created);
        json.WriteString("model", reply.Model);
        json.WriteString("system_fingerprint", ChatReply.SystemFingerprint);
        json.WriteStartArray("choices");
        for (var index = 0; index < reply.Answers.Count; index++)
        {
            WriteChoice(json, index, reply.Answers[index]);
        }

        json.WriteEndArray();
        WriteUsage(json, reply);
        json.WriteEndObject();
    }

    private static void WriteChoice(Utf8JsonWriter json, int index, SimulatedAnswer answer)
    {
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (answer.ToolCall is { } call)
        {
            json.WriteNull("content");
            json.WriteNull("refusal");
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteString("id", call.Id);
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", call.Name);
            WriteJoined(json, "arguments", answer);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }
        else
        {
            WriteJoined(json, "content", answer);
            json.WriteNull("refusal");
        }

        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", answer.FinishReason);
        json.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter json, ChatReply reply)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", reply.PromptTokens);
        json.WriteNumber("completion_tokens", reply.CompletionTokens);
        json.WriteNumber("total_tokens", reply.TotalTokens);
        json.WriteEndObject();
    }

    /// <summary>Writes the sent pieces as one string through a pooled buffer, so no answer string is allocated.</summary>
    public static void WriteJoined(Utf8JsonWriter json, string name, SimulatedAnswer answer)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(answer.TextLength, 1));
        try
        {
            var length = 0;
            for (var i = 0; i < answer.PieceCount; i++)
            {
                answer.Pieces[i].Span.CopyTo(buffer.AsSpan(length));
                length += answer.Pieces[i].Length;
            }

            json.WriteString(name, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
