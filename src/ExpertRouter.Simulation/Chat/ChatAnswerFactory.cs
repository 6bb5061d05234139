using ExpertRouter.Core.Experts;

namespace ExpertRouter.Simulation;

/// <summary>
/// Decides what a valid request is answered with: a tool call, a recorded response (replay), a JSON instance of a
/// requested schema, or generated text; every choice is a pure function of the request and the seed.
/// </summary>
internal static class ChatAnswerFactory
{
    public static (SimulatedAnswer Answer, int PromptTokens, ulong Hash) Create(ChatCompletionRequest request, string model, ModelProfile profile, int seed, ReplayIndex replay)
    {
        var hash = new DeterministicHash(seed);
        hash.Add(model);
        var characters = 0;
        string? lastUserText = null;
        foreach (var message in request.Messages!)
        {
            var text = message.Text();
            hash.Add(message.Role!);
            hash.Add(text);
            characters += text.Length;
            if (message.Role == "user")
            {
                lastUserText = text;
            }
        }

        var maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        var requestHash = hash.Value;
        return (Answer(request, model, profile, replay, lastUserText, requestHash, maxTokens), TokenEstimate.FromCharacters(characters), requestHash);
    }

    private static SimulatedAnswer Answer(ChatCompletionRequest request, string model, ModelProfile profile, ReplayIndex replay, string? lastUserText, ulong hash, int? maxTokens)
    {
        if (ToolSelection.Choose(request) is { Name: { } toolName } tool)
        {
            return ToolCallGenerator.Generate(hash, toolName, tool.Parameters, maxTokens);
        }

        if (profile.FixedAnswer is { } fixedAnswer)
        {
            var pieces = SimulatedAnswer.Slice(fixedAnswer);
            return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
        }

        if (lastUserText is not null && replay.TryFind(lastUserText, model, out var recorded))
        {
            var pieces = SimulatedAnswer.Slice(recorded.Response!);
            var tokens = recorded.OutputTokensEst > 0 ? recorded.OutputTokensEst : pieces.Length;
            return SimulatedAnswer.Create(pieces, tokens, maxTokens);
        }

        if (request.ResponseFormat is { Type: "json_schema", JsonSchema.Schema: var schema })
        {
            var random = new SplitMix64(hash);
            var pieces = SimulatedAnswer.Slice(ToolCallGenerator.InstanceOf(schema, ref random));
            return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
        }

        return TextAnswerGenerator.Generate(hash, profile, request.ResponseFormat?.Type == "json_object", maxTokens);
    }
}
