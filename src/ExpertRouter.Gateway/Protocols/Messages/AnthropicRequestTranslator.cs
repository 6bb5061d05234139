using System.Buffers;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// Parses and validates an Anthropic Messages body (<c>POST /v1/messages</c>) and writes the chat-completions body
/// for it. Members chat has no use for (metadata, top_k, thinking, service_tier, cache_control) are tolerated.
/// </summary>
public static class AnthropicRequestTranslator
{
    public static ProtocolResult<AnthropicCall> Translate(ReadOnlyMemory<byte> body, ProtocolIds ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var (document, error) = RequestJson.Parse(body);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            try
            {
                return Read(document!.RootElement, ids);
            }
            catch (InvalidOperationException)
            {
                // JSON may escape a lone surrogate (\ud800): valid JSON, but no string, so reading it throws.
                return ApiError.InvalidRequest("The request body contains an escaped lone surrogate, which is not valid Unicode text.", code: "invalid_encoding");
            }
        }
    }

    private static ProtocolResult<AnthropicCall> Read(JsonElement rootElement, ProtocolIds ids)
    {
        var root = RootMembers.Read(rootElement);
        var fields = new FieldReader();
        var model = fields.RequiredString(root.Model, "model");
        var maxTokens = fields.Integer(root.MaxTokens, "max_tokens", 1);
        if (fields.Error is null && maxTokens is null)
        {
            fields.Fail(RequestProblems.Missing("max_tokens"));
        }

        var list = fields.OfKind(root.Messages, "messages", JsonValueKind.Array);
        if (fields.Error is null && list.ValueKind != JsonValueKind.Array)
        {
            fields.Fail(RequestProblems.Missing("messages"));
        }
        else if (fields.Error is null && list.GetArrayLength() == 0)
        {
            fields.Fail(RequestProblems.Empty("messages"));
        }

        var stream = fields.Boolean(root.Stream, "stream");
        var temperature = fields.Number(root.Temperature, "temperature", 0, 1);
        var topP = fields.Number(root.TopP, "top_p", 0, 1);
        fields.Integer(root.TopK, "top_k", 0);
        fields.OfKind(root.Metadata, "metadata", JsonValueKind.Object);
        var stops = StopSequences(root.StopSequences, fields);
        if (fields.Error is null && model.Length == 0)
        {
            fields.Fail(RequestProblems.Empty("model"));
        }

        if (fields.Error is { } error)
        {
            return error;
        }

        var messages = new ChatMessageList();
        var systemCharacters = 0;
        if (System(root.System, messages, ref systemCharacters) is { } systemError)
        {
            return systemError;
        }

        var toolNames = new ToolNameMap();
        var reader = new AnthropicMessageReader(messages, toolNames);
        using var body = JsonBuffer.Rent(4096);
        using var toolOptions = JsonBuffer.Rent(1024);
        var chat = body.Json;
        chat.WriteStartObject();
        chat.WriteString("model", model);
        chat.WriteStartArray("messages");
        // Tools first: a tool_use block in the history must use the stand-in name its tool definition gets.
        var tools = toolOptions.Json;
        tools.WriteStartObject();
        if ((AnthropicToolReader.Read(root.Tools, root.ToolChoice, tools, toolNames) ?? reader.Read(list)) is { } readError)
        {
            return readError;
        }

        tools.WriteEndObject();

        messages.WriteElements(chat);
        chat.WriteEndArray();
        WriteOptions(chat, maxTokens!.Value, temperature, topP, stops, stream == true);
        chat.Flush();

        // The tool options are whole members: they follow the others as bytes.
        ProtocolJson.CloseObjectWith(body, toolOptions.WrittenSpan);
        return new AnthropicCall
        {
            Model = model,
            Stream = stream == true,
            ChatBody = body.WrittenSpan.ToArray(),
            MessageId = ids.Message(),
            ToolNames = toolNames,
            StopSequences = stops,
            EstimatedInputTokens = TokenEstimate.FromCharacters(systemCharacters + reader.Characters),
        };
    }

    /// <summary>The system prompt, a string or text blocks, as the first chat message.</summary>
    private static ApiError? System(JsonElement system, ChatMessageList messages, ref int characters)
    {
        if (!RequestFields.Present(system))
        {
            return null;
        }

        if (system.ValueKind == JsonValueKind.String)
        {
            var text = system.GetString()!;
            characters += text.Length;
            messages.AddText("system", text);
            return null;
        }

        if (system.ValueKind != JsonValueKind.Array)
        {
            return RequestProblems.WrongType("system", "a string or an array of text blocks", system);
        }

        var parts = new List<ChatContentPart>();
        var index = 0;
        foreach (var block in system.EnumerateArray())
        {
            var path = $"system.{index++}";
            var fields = new FieldReader();
            var type = block.ValueKind == JsonValueKind.Object ? fields.RequiredString(block, "type", path + ".type") : "";
            if (block.ValueKind != JsonValueKind.Object)
            {
                fields.Fail(RequestProblems.WrongType(path, "an object", block));
            }
            else if (fields.Error is null && type != "text")
            {
                fields.Fail(RequestProblems.Invalid(path + ".type", $"'{type}' is not 'text': system prompts are text."));
            }

            var text = fields.Error is null ? fields.RequiredString(block, "text", path + ".text") : "";
            if (fields.Error is { } error)
            {
                return error;
            }

            characters += text.Length;
            parts.Add(ChatContentPart.FromText(text));
        }

        if (parts.Count > 0)
        {
            messages.AddParts("system", parts);
        }

        return null;
    }

    private static List<string> StopSequences(JsonElement member, FieldReader fields)
    {
        var stops = new List<string>();
        var array = fields.OfKind(member, "stop_sequences", JsonValueKind.Array);
        if (array.ValueKind != JsonValueKind.Array)
        {
            return stops;
        }

        var index = 0;
        foreach (var stop in array.EnumerateArray())
        {
            if (stop.ValueKind != JsonValueKind.String)
            {
                fields.Fail(RequestProblems.WrongType($"stop_sequences.{index}", "a string", stop));
            }
            else
            {
                stops.Add(stop.GetString()!);
            }

            index++;
        }

        return stops;
    }

    private static void WriteOptions(Utf8JsonWriter chat, int maxTokens, double? temperature, double? topP, List<string> stops, bool stream)
    {
        chat.WriteNumber("max_completion_tokens", maxTokens);
        if (temperature is { } t)
        {
            chat.WriteNumber("temperature", t);
        }

        if (topP is { } p)
        {
            chat.WriteNumber("top_p", p);
        }

        if (stops.Count > 0)
        {
            chat.WriteStartArray("stop");
            stops.ForEach(chat.WriteStringValue);
            chat.WriteEndArray();
        }

        if (stream)
        {
            chat.WriteBoolean("stream", true);
            chat.WriteStartObject("stream_options");
            chat.WriteBoolean("include_usage", true);
            chat.WriteEndObject();
        }
    }

    /// <summary>The members this translator reads, found in one pass over the body (the last of a repeated name wins, as with a lookup).</summary>
    private struct RootMembers
    {
        public JsonElement Model;
        public JsonElement MaxTokens;
        public JsonElement Messages;
        public JsonElement Stream;
        public JsonElement Temperature;
        public JsonElement TopP;
        public JsonElement TopK;
        public JsonElement Metadata;
        public JsonElement StopSequences;
        public JsonElement System;
        public JsonElement Tools;
        public JsonElement ToolChoice;

        public static RootMembers Read(JsonElement root)
        {
            var members = default(RootMembers);
            foreach (var member in root.EnumerateObject())
            {
                var name = RequestFields.Name(member);
                if (name.SequenceEqual("model"u8))
                {
                    members.Model = member.Value;
                }
                else if (name.SequenceEqual("max_tokens"u8))
                {
                    members.MaxTokens = member.Value;
                }
                else if (name.SequenceEqual("messages"u8))
                {
                    members.Messages = member.Value;
                }
                else if (name.SequenceEqual("stream"u8))
                {
                    members.Stream = member.Value;
                }
                else if (name.SequenceEqual("temperature"u8))
                {
                    members.Temperature = member.Value;
                }
                else if (name.SequenceEqual("top_p"u8))
                {
                    members.TopP = member.Value;
                }
                else if (name.SequenceEqual("top_k"u8))
                {
                    members.TopK = member.Value;
                }
                else if (name.SequenceEqual("metadata"u8))
                {
                    members.Metadata = member.Value;
                }
                else if (name.SequenceEqual("stop_sequences"u8))
                {
                    members.StopSequences = member.Value;
                }
                else if (name.SequenceEqual("system"u8))
                {
                    members.System = member.Value;
                }
                else if (name.SequenceEqual("tools"u8))
                {
                    members.Tools = member.Value;
                }
                else if (name.SequenceEqual("tool_choice"u8))
                {
                    members.ToolChoice = member.Value;
                }
            }

            return members;
        }
    }
}
