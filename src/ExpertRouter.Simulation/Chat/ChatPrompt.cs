namespace ExpertRouter.Simulation;

/// <summary>Maps a chat completion request onto the <see cref="AnswerPrompt"/> every API answers from.</summary>
internal static class ChatPrompt
{
    public static AnswerPrompt From(ChatCompletionRequest request)
    {
        var messages = request.Messages!.Select(message => new PromptMessage(message.Role!, message.Text())).ToArray();
        var tools = (request.Tools ?? [])
            .Where(tool => tool.Function?.Name is not null)
            .Select(tool => new PromptTool(tool.Function!.Name!, tool.Function.Parameters))
            .ToArray();
        var format = request.ResponseFormat switch
        {
            { Type: "json_schema", JsonSchema.Schema: var schema } => new PromptFormat("json_schema", schema),
            { Type: "json_object" } => new PromptFormat("json_object"),
            _ => PromptFormat.Text,
        };
        return new AnswerPrompt(
            request.Model!,
            messages,
            tools,
            ToolSelection.Demand(request.ToolChoice),
            request.MaxCompletionTokens ?? request.MaxTokens,
            format,
            request.N ?? 1);
    }
}
