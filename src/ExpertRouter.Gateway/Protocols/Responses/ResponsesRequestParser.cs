using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Parses and validates a <c>POST /v1/responses</c> body into a <see cref="ResponsesRequest"/>. Unknown members are
/// tolerated as OpenAI tolerates them; members that need OpenAI's own state or hosted services are refused by name.
/// </summary>
public static class ResponsesRequestParser
{
    public static ProtocolResult<ResponsesRequest> Parse(ReadOnlyMemory<byte> body)
    {
        var (document, error) = RequestJson.Parse(body);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            try
            {
                return Read(document!.RootElement);
            }
            catch (InvalidOperationException)
            {
                // JSON may escape a lone surrogate (\ud800): valid JSON, but no string, so reading it throws.
                return ApiError.InvalidRequest("The request body contains an escaped lone surrogate, which is not valid Unicode text.", code: "invalid_encoding");
            }
        }
    }

    private static ProtocolResult<ResponsesRequest> Read(JsonElement body)
    {
        var root = ResponsesRootMembers.Read(body);
        var fields = new FieldReader();
        var model = fields.RequiredString(root.Model, "model");
        var stream = fields.Boolean(root.Stream, "stream");
        var store = fields.Boolean(root.Store, "store");
        var previousResponseId = fields.String(root.PreviousResponseId, "previous_response_id");
        var instructions = fields.String(root.Instructions, "instructions");
        var metadata = fields.OfKind(root.Metadata, "metadata", JsonValueKind.Object);
        var temperature = fields.Number(root.Temperature, "temperature", 0, 2);
        var topP = fields.Number(root.TopP, "top_p", 0, 1);
        var maxOutputTokens = fields.Integer(root.MaxOutputTokens, "max_output_tokens", 1);
        var user = fields.String(root.User, "user");
        if ((fields.Error ?? RefuseStatefulMembers(root)) is { } error)
        {
            return error;
        }

        if (model.Length == 0)
        {
            return RequestProblems.Empty("model");
        }

        var input = new ResponsesInputReader();
        if (input.Read(root.Input) is { } inputError)
        {
            return inputError;
        }

        var echo = new ResponsesEcho
        {
            Instructions = instructions,
            MetadataJson = metadata.ValueKind == JsonValueKind.Object ? metadata.GetRawText() : "{}",
            Temperature = temperature,
            TopP = topP,
            MaxOutputTokens = maxOutputTokens,
            User = user,
        };
        // Written before the options, so the scratch buffer it takes is this thread's, not one more.
        var inputMessages = input.Messages.ToJsonArray();
        using var options = JsonBuffer.Rent(1024);
        var chat = options.Json;
        chat.WriteStartObject();
        if (ResponsesToolReader.Read(root, chat, ref echo) is { } toolError)
        {
            return toolError;
        }

        WriteSampling(chat, echo, stream == true);
        chat.WriteEndObject();

        return new ResponsesRequest
        {
            Model = model,
            Stream = stream == true,
            Store = store ?? true,
            PreviousResponseId = previousResponseId,
            Instructions = instructions,
            InputMessagesJson = inputMessages,
            CallIdsFromHistory = input.CallIdsFromHistory,
            ChatOptionsJson = options.WrittenSpan.ToArray(),
            Echo = echo,
            PromptCharacters = input.Characters + (instructions?.Length ?? 0),
        };
    }

    private static ApiError? RefuseStatefulMembers(in ResponsesRootMembers root) =>
        Refuse(root.Conversation, "conversation") ?? Refuse(root.Prompt, "prompt") ?? Refuse(root.Background, "background");

    private static ApiError? Refuse(JsonElement member, string name) =>
        RequestFields.Present(member) && member.ValueKind is not JsonValueKind.False
            ? RequestProblems.Unsupported(name, "this needs OpenAI's own stored state or services; use input items and previous_response_id.")
            : null;

    private static void WriteSampling(Utf8JsonWriter chat, ResponsesEcho echo, bool stream)
    {
        if (echo.MaxOutputTokens is { } maxTokens)
        {
            chat.WriteNumber("max_completion_tokens", maxTokens);
        }

        if (echo.Temperature is { } temperature)
        {
            chat.WriteNumber("temperature", temperature);
        }

        if (echo.TopP is { } topP)
        {
            chat.WriteNumber("top_p", topP);
        }

        if (echo.User is { } user)
        {
            chat.WriteString("user", user);
        }

        if (stream)
        {
            chat.WriteBoolean("stream", true);
            chat.WriteStartObject("stream_options");
            chat.WriteBoolean("include_usage", true);
            chat.WriteEndObject();
        }
    }
}
