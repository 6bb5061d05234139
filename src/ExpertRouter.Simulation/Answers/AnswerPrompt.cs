using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>
/// What an answer is generated from, whichever API asked: chat completions, the Responses API and Anthropic Messages
/// each map their request onto this, so the three answer alike (same text, tool calls and usage for the same turn).
/// </summary>
internal sealed record AnswerPrompt(
    string Model,
    IReadOnlyList<PromptMessage> Messages,
    IReadOnlyList<PromptTool> Tools,
    ToolDemand ToolChoice,
    int? MaxTokens,
    PromptFormat Format,
    int Choices = 1)
{
    /// <summary>The text of the last user message: what replay looks up.</summary>
    public string? LastUserText => Messages.LastOrDefault(message => message.Role == "user")?.Text;

    /// <summary>The turn answers a tool's result: the last message is the tool's output.</summary>
    public bool AnswersToolResult => Messages.Count > 0 && Messages[^1].Role == "tool";
}

/// <summary>One message as role and plain text; a tool result has the role <c>tool</c> whatever the API called it.</summary>
internal sealed record PromptMessage(string Role, string Text);

internal sealed record PromptTool(string Name, JsonElement Parameters);

/// <summary>What the client demands of tools: none, auto (the default), required, or one named tool.</summary>
internal sealed record ToolDemand(string Mode, string? Name = null)
{
    public static readonly ToolDemand Auto = new("auto");
    public static readonly ToolDemand None = new("none");
    public static readonly ToolDemand Required = new("required");

    public static ToolDemand Named(string name) => new("named", name);

    /// <summary>The client insists on a call (required, or a named tool), so even a tool result is answered with one.</summary>
    public bool Forces => Mode is "required" or "named";
}

/// <summary>The answer's format: plain text, a JSON object, or an instance of a JSON schema.</summary>
internal sealed record PromptFormat(string Type, JsonElement Schema = default)
{
    public static readonly PromptFormat Text = new("text");
}
