using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// Validates an OpenAI request body just enough to route it, and finds the bytes of its <c>model</c> value.
/// Everything else (tools, response_format, unknown fields) is left for the expert to judge.
/// </summary>
public static class OpenAIRequestParser
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>When the body is valid JSON but repeats a key, which error that is; null for any other fault.</summary>
    private static ApiError? DuplicateKey(ReadOnlyMemory<byte> body)
    {
        int models;
        try
        {
            using var lenient = JsonDocument.Parse(body);
            models = lenient.RootElement.ValueKind == JsonValueKind.Object ? lenient.RootElement.EnumerateObject().Count(p => p.NameEquals("model"u8)) : 0;
        }
        catch (JsonException)
        {
            return null;
        }

        return models > 1
            ? ApiError.InvalidRequest("'model' must appear exactly once.", "model", "duplicate_model")
            : ApiError.InvalidRequest("The body repeats a key within one object; send each key once.", code: "duplicate_property");
    }

    /// <summary>OpenAI's own bound on <c>n</c>.</summary>
    public const int MaxChoices = 128;

    public static (OpenAIRequest? Request, ApiError? Error) Parse(ReadOnlyMemory<byte> body, OpenAIEndpoint endpoint)
    {
        if (body.IsEmpty)
        {
            return (null, ApiError.InvalidRequest("The request body is empty; send a JSON object.", code: "invalid_json"));
        }

        if (!Utf8.IsValid(body.Span))
        {
            return (null, ApiError.InvalidRequest("The request body is not valid UTF-8.", code: "invalid_encoding"));
        }

        JsonDocument document;
        try
        {
            // A key twice in one object has no single meaning (and later steps that edit the body cannot hold it).
            document = JsonDocument.Parse(body, Strict);
        }
        catch (JsonException ex)
        {
            return (null, DuplicateKey(body) ?? ApiError.InvalidJson(ex.Message));
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, body, endpoint);
            }
            catch (InvalidOperationException)
            {
                // JSON may escape a lone surrogate (\ud800); it is valid JSON but no string, so reading it throws.
                return (null, LoneSurrogate());
            }
        }
    }

    private const int EscapedLoneSurrogate = -1;

    private static ApiError LoneSurrogate() =>
        ApiError.InvalidRequest("The request body contains an escaped lone surrogate, which is not valid Unicode text.", code: "invalid_encoding");

    private static (OpenAIRequest? Request, ApiError? Error) Read(JsonElement root, ReadOnlyMemory<byte> body, OpenAIEndpoint endpoint)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json"));
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } modelName)
        {
            return (null, ApiError.InvalidRequest("You must provide a model parameter as a non-empty string.", "model", "missing_model"));
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            return (null, ApiError.InvalidRequest("'stream' must be a boolean.", "stream", "invalid_type"));
        }

        var (prompt, promptChars, conversation, error) = endpoint == OpenAIEndpoint.ChatCompletions ? ReadMessages(root, body) : WithoutConversation(ReadInput(root));
        if (error is not null)
        {
            return (null, error);
        }

        if (FindModelToken(body.Span) is not { } modelToken)
        {
            return (null, ApiError.InvalidRequest("'model' must appear exactly once.", "model", "duplicate_model"));
        }

        var usesTools = root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        if (root.TryGetProperty("tools", out tools) && tools.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            return (null, ApiError.InvalidRequest("'tools' must be an array.", "tools", "invalid_type"));
        }

        var choices = 1;
        if (root.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null
            && (n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out choices) || choices is < 1 or > MaxChoices))
        {
            return (null, ApiError.InvalidRequest($"'n' must be an integer from 1 to {MaxChoices}.", "n", "invalid_value"));
        }

        var hasStreamOptions = root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object;
        return (new OpenAIRequest
        {
            Endpoint = endpoint,
            Body = body,
            Model = modelName,
            ModelToken = modelToken,
            Stream = stream.ValueKind == JsonValueKind.True,
            UsesTools = usesTools,
            Prompt = prompt,
            Conversation = conversation,
            PromptTokens = TokenEstimate.FromCharacters(promptChars),
            MaxOutputTokens = PositiveInt(root, "max_completion_tokens") ?? PositiveInt(root, "max_tokens"),
            Choices = choices,
            HasStreamOptions = hasStreamOptions,
            Deterministic = IsDeterministic(root),
            StreamIncludeUsage = hasStreamOptions && streamOptions.TryGetProperty("include_usage", out var includeUsage) && includeUsage.ValueKind == JsonValueKind.True,
        }, null);
    }

    /// <summary>True when the body sets <c>temperature</c> to the number 0.</summary>
    public static bool IsDeterministic(JsonElement root) =>
        root.TryGetProperty("temperature", out var temperature) && temperature.ValueKind == JsonValueKind.Number && temperature.GetDouble() == 0;

    private static (string? Prompt, int Chars, BodyConversation? Conversation, ApiError? Error) WithoutConversation((string Prompt, int Chars, ApiError? Error) read) =>
        (read.Prompt, read.Chars, null, read.Error);

    /// <summary>A chat request's messages; its prompt is left to <see cref="BodyConversation.LastUserText"/>, decoded when first asked for.</summary>
    private static (string? Prompt, int Chars, BodyConversation? Conversation, ApiError? Error) ReadMessages(JsonElement root, ReadOnlyMemory<byte> body)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return ("", 0, null, ApiError.InvalidRequest("'messages' must be an array of message objects.", "messages", "invalid_type"));
        }

        var count = messages.GetArrayLength();
        if (count == 0)
        {
            return ("", 0, null, ApiError.InvalidRequest("'messages' must contain at least one message.", "messages", "empty_array"));
        }

        // Runs on every request over the whole conversation: strings are only made for content parts and for errors; a
        // message's role and where its content lies are noted for whoever reads its text later.
        var read = new BodyConversation.Message[count];
        var lastUserAt = -1;
        var chars = 0;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = index++;
            if (message.ValueKind != JsonValueKind.Object)
            {
                return ("", 0, null, ApiError.InvalidRequest($"'{PathOf(at)}' must be an object.", PathOf(at), "invalid_type"));
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || !IsKnownRole(role))
            {
                return ("", 0, null, ApiError.InvalidRequest($"'{PathOf(at)}.role' must be one of {string.Join(", ", Roles)}.", $"{PathOf(at)}.role", "invalid_value"));
            }

            message.TryGetProperty("content", out var content);
            int? length = content.ValueKind switch
            {
                JsonValueKind.String => Utf16Length(content) ?? EscapedLoneSurrogate,
                JsonValueKind.Array => TextOfParts(content).Length,
                JsonValueKind.Null or JsonValueKind.Undefined => 0,
                _ => null,
            };
            if (length == EscapedLoneSurrogate)
            {
                return ("", 0, null, LoneSurrogate());
            }

            if (length is null)
            {
                return ("", 0, null, ApiError.InvalidRequest($"'{PathOf(at)}.content' must be a string, an array of content parts or null.", $"{PathOf(at)}.content", "invalid_type"));
            }

            chars += length.Value;
            read[at] = new BodyConversation.Message(BodyConversation.RoleOf(role), length.Value == 0 ? default : SliceOf(body, content), length.Value);
            if (role.ValueEquals("user"u8))
            {
                lastUserAt = at;
            }
        }

        return (null, chars, new BodyConversation(read, lastUserAt), null);
    }

    /// <summary>
    /// The element's JSON as a slice of the body it was parsed from (JsonDocument reads a memory in place), so noting
    /// where a message lies copies nothing; a copy only if the element were ever not in the body.
    /// </summary>
    private static ReadOnlyMemory<byte> SliceOf(ReadOnlyMemory<byte> body, JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var offset = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(body.Span), ref MemoryMarshal.GetReference(raw));
        return offset >= 0 && offset <= body.Length - raw.Length ? body.Slice((int)offset, raw.Length) : raw.ToArray();
    }

    private static string PathOf(int index) => $"messages[{index}]";

    private static bool IsKnownRole(JsonElement role)
    {
        foreach (var known in Roles)
        {
            if (role.ValueEquals(known))
            {
                return true;
            }
        }

        return false;
    }

    internal static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => TextOfParts(content),
        _ => "",
    };

    /// <summary>The UTF-16 length of a JSON string element's value; null when it escapes a lone surrogate.</summary>
    private static int? Utf16Length(JsonElement text) => EscapedJsonString.Utf16Length(JsonMarshal.GetRawUtf8Value(text)[1..^1]);

    private static int? PositiveInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0
            ? number
            : null;

    private static string TextOfParts(JsonElement parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            {
                text.Append(text.Length > 0 ? "\n" : "").Append(t.GetString());
            }
        }

        return text.ToString();
    }

    private static (string Prompt, int Chars, ApiError? Error) ReadInput(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input))
        {
            return ("", 0, ApiError.InvalidRequest("You must provide an 'input' parameter.", "input", "missing_input"));
        }

        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return (input.GetString()!, input.GetString()!.Length, null);
            case JsonValueKind.Array when input.GetArrayLength() > 0:
                var texts = input.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray();
                // Token-id inputs count one token per element; four characters stand for one token.
                var chars = texts.Length > 0 ? texts.Sum(t => t.Length) : input.GetArrayLength() * 4;
                return (string.Join("\n", texts), chars, null);
            default:
                return ("", 0, ApiError.InvalidRequest("'input' must be a non-empty string or array.", "input", "invalid_type"));
        }
    }

    /// <summary>
    /// Finds the top-level <c>model</c> string token, or null when the key repeats: a second <c>model</c> could make
    /// the expert answer as a different model than the one routed and billed.
    /// </summary>
    internal static Range? FindModelToken(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();
        Range? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel)
            {
                if (found is not null)
                {
                    return null;
                }

                found = new Range((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
            }

            reader.Skip();
        }

        return found;
    }
}
