using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>Image blocks and tool-result content, as chat content parts.</summary>
internal static class AnthropicContentBlocks
{
    private static readonly string[] MediaTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    /// <summary>An image block: a base64 source becomes a <c>data:</c> URL, a url source its URL.</summary>
    public static ApiError? ReadImage(JsonElement block, string path, List<ChatContentPart> parts)
    {
        var fields = new FieldReader();
        var source = fields.OfKind(block, "source", path + ".source", JsonValueKind.Object);
        if (fields.Error is null && source.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(RequestProblems.Missing(path + ".source"));
        }

        var type = fields.Error is null ? fields.RequiredString(source, "type", path + ".source.type") : "";
        if (fields.Error is { } error)
        {
            return error;
        }

        switch (type)
        {
            case "base64":
                var mediaType = fields.RequiredString(source, "media_type", path + ".source.media_type");
                var data = fields.RequiredString(source, "data", path + ".source.data");
                if (fields.Error is null && !MediaTypes.Contains(mediaType, StringComparer.Ordinal))
                {
                    fields.Fail(RequestProblems.Invalid(path + ".source.media_type", $"'{mediaType}' is not one of {string.Join(", ", MediaTypes)}."));
                }

                parts.Add(ChatContentPart.FromImage($"data:{mediaType};base64,{data}", null));
                return fields.Error;
            case "url":
                parts.Add(ChatContentPart.FromImage(fields.RequiredString(source, "url", path + ".source.url"), null));
                return fields.Error;
            case "file":
                return RequestProblems.Unsupported(path + ".source.type", "file sources refer to Anthropic's file storage; send the image as base64 or url.");
            default:
                return RequestProblems.Invalid(path + ".source.type", $"'{type}' is not 'base64' or 'url'.");
        }
    }

    /// <summary>A tool result's content as text (its text blocks joined); its images go to <paramref name="images"/>.</summary>
    public static (string Text, ApiError? Error) ReadToolResultContent(JsonElement block, string path, List<ChatContentPart> images)
    {
        if (!RequestFields.TryGet(block, "content", out var content))
        {
            return ("", null);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString()!, null);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return ("", RequestProblems.WrongType(path, "a string or an array of content blocks", content));
        }

        var texts = new List<string>();
        var index = 0;
        foreach (var item in content.EnumerateArray())
        {
            var itemPath = $"{path}.{index++}";
            var fields = new FieldReader();
            var type = item.ValueKind == JsonValueKind.Object ? fields.RequiredString(item, "type", itemPath + ".type") : "";
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Fail(RequestProblems.WrongType(itemPath, "an object", item));
            }

            var error = fields.Error ?? type switch
            {
                "text" => Text(item, itemPath, texts),
                "image" => ReadImage(item, itemPath, images),
                _ => RequestProblems.Invalid(itemPath + ".type", $"'{type}' is not 'text' or 'image'."),
            };
            if (error is not null)
            {
                return ("", error);
            }
        }

        return (string.Join('\n', texts), null);
    }

    private static ApiError? Text(JsonElement item, string path, List<string> texts)
    {
        var fields = new FieldReader();
        texts.Add(fields.RequiredString(item, "text", path + ".text"));
        return fields.Error;
    }
}
