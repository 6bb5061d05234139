using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Simulation;

/// <summary>
/// Maps an Anthropic Messages request (<c>POST /v1/messages</c>) onto an <see cref="AnswerPrompt"/>. A user message
/// that carries <c>tool_result</c> blocks becomes its text followed by one tool message per result, so it counts as
/// a tool-result turn (and is answered with text) even when a client adds text beside the results.
/// </summary>
internal static class MessagesPrompt
{
    public static (AnswerPrompt? Prompt, ApiError? Error) Read(JsonElement root)
    {
        if (root.String("model") is not { Length: > 0 } model)
        {
            return (null, ApiError.InvalidRequest("model: Field required", "model"));
        }

        if (root.Int("max_tokens") is not { } maxTokens || maxTokens < 1)
        {
            return (null, ApiError.InvalidRequest("max_tokens: Field required (an integer of at least 1)", "max_tokens"));
        }

        if (root.Member("messages") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            return (null, ApiError.InvalidRequest("messages: Field required (a non-empty array)", "messages"));
        }

        var messages = new List<PromptMessage>();
        var system = root.Member("system");
        if (JsonFields.TextOf(system) is { Length: > 0 } systemText)
        {
            messages.Add(new PromptMessage("system", systemText));
        }

        var index = 0;
        foreach (var message in list.EnumerateArray())
        {
            if (message.String("role") is not ("user" or "assistant"))
            {
                return (null, ApiError.InvalidRequest($"messages.{index}.role: Input should be 'user' or 'assistant'", $"messages.{index}.role"));
            }

            Add(message, messages);
            index++;
        }

        var tools = root.Items("tools")
            .Where(tool => tool.String("name") is not null)
            .Select(tool => new PromptTool(tool.String("name")!, tool.Member("input_schema")))
            .ToArray();
        return (new AnswerPrompt(model, messages, tools, Demand(root.Member("tool_choice")), maxTokens, PromptFormat.Text), null);
    }

    private static void Add(JsonElement message, List<PromptMessage> messages)
    {
        var role = message.String("role")!;
        var content = message.Member("content");
        if (content.ValueKind != JsonValueKind.Array)
        {
            messages.Add(new PromptMessage(role, JsonFields.TextOf(content)));
            return;
        }

        var text = string.Concat(content.EnumerateArray().Select(block => block.String("type") switch
        {
            "text" => block.String("text"),
            "tool_use" => block.Member("input").ValueKind == JsonValueKind.Undefined ? "" : block.Member("input").GetRawText(),
            _ => "",
        }));
        var results = content.EnumerateArray().Where(block => block.String("type") == "tool_result").ToArray();
        if (text.Length > 0 || results.Length == 0)
        {
            messages.Add(new PromptMessage(role, text));
        }

        messages.AddRange(results.Select(result => new PromptMessage("tool", JsonFields.TextOf(result.Member("content")))));
    }

    private static ToolDemand Demand(JsonElement choice) => choice.String("type") switch
    {
        "none" => ToolDemand.None,
        "any" => ToolDemand.Required,
        "tool" when choice.String("name") is { } name => ToolDemand.Named(name),
        _ => ToolDemand.Auto,
    };
}
