using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>The content parts of a Responses API message or function output, as chat content parts.</summary>
internal static class ResponsesContentParts
{
    public static ApiError? Read(JsonElement part, string path, string role, List<ChatContentPart> parts)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            return RequestProblems.WrongType(path, "an object", part);
        }

        var fields = new FieldReader();
        var type = fields.RequiredString(part, "type", path + ".type");
        if (fields.Error is { } error)
        {
            return error;
        }

        switch (type)
        {
            case "input_text" or "output_text":
            {
                parts.Add(ChatContentPart.FromText(fields.RequiredString(part, "text", path + ".text")));
                return fields.Error;
            }

            case "refusal" when role == "assistant":
            {
                parts.Add(ChatContentPart.FromText(fields.RequiredString(part, "refusal", path + ".refusal")));
                return fields.Error;
            }

            case "input_image" when role == "user":
                return ReadImage(part, path, parts);
            case "input_image":
                return RequestProblems.Invalid(path + ".type", $"images are only accepted in user messages, not in {role} messages.");
            case "input_file" or "input_audio":
                return RequestProblems.Unsupported(path + ".type", $"'{type}' parts cannot be translated to chat completions; send text or images.");
            default:
                return RequestProblems.Invalid(path + ".type", $"'{type}' is not one of 'input_text', 'input_image', 'output_text', 'refusal'.");
        }
    }

    private static ApiError? ReadImage(JsonElement part, string path, List<ChatContentPart> parts)
    {
        var fields = new FieldReader();
        var url = fields.String(part, "image_url", path + ".image_url");
        var detail = fields.String(part, "detail", path + ".detail");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (url is null)
        {
            return RequestFields.TryGet(part, "file_id", out _)
                ? RequestProblems.Unsupported(path + ".file_id", "file ids refer to OpenAI's file storage; send the image as image_url (a URL or a data: URL).")
                : RequestProblems.Missing(path + ".image_url");
        }

        if (detail is not (null or "auto" or "low" or "high"))
        {
            return RequestProblems.Invalid(path + ".detail", $"'{detail}' is not one of 'auto', 'low', 'high'.");
        }

        parts.Add(ChatContentPart.FromImage(url, detail));
        return null;
    }
}
