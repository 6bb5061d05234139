using ExpertRouter.Core.Experts;

namespace ExpertRouter.Simulation;

/// <summary>
/// Decides what a valid request is answered with: a tool call, a recorded response (replay), a JSON instance of a
/// requested schema, or generated text; every choice is a pure function of the request and the seed.
/// </summary>
internal static class ChatAnswerFactory
{
    /// <summary>
    /// One answer per requested choice. The first is the answer a single-choice request gets; the others hash the
    /// choice index in, so they differ from it and from each other while staying deterministic.
    /// </summary>
    public static (SimulatedAnswer[] Answers, int PromptTokens, ulong Hash) Create(AnswerPrompt prompt, ModelProfile profile, int seed, ReplayIndex replay)
    {
        var hash = new DeterministicHash(seed);
        hash.Add(prompt.Model);
        var characters = 0;
        foreach (var message in prompt.Messages)
        {
            hash.Add(message.Role);
            hash.Add(message.Text);
            characters += message.Text.Length;
        }

        var requestHash = hash.Value;
        var answers = new SimulatedAnswer[Math.Max(1, prompt.Choices)];
        for (var choice = 0; choice < answers.Length; choice++)
        {
            var choiceHash = requestHash;
            if (choice > 0)
            {
                var varied = hash;
                varied.Add(choice);
                choiceHash = varied.Value;
            }

            answers[choice] = Answer(prompt, profile, replay, choiceHash);
        }

        return (answers, TokenEstimate.FromCharacters(characters), requestHash);
    }

    private static SimulatedAnswer Answer(AnswerPrompt prompt, ModelProfile profile, ReplayIndex replay, ulong hash)
    {
        var maxTokens = prompt.MaxTokens;
        if (ToolSelection.Choose(prompt) is { } tool)
        {
            return ToolCallGenerator.Generate(hash, tool.Name, tool.Parameters, maxTokens);
        }

        if (profile.FixedAnswer is { } fixedAnswer)
        {
            var pieces = SimulatedAnswer.Slice(fixedAnswer);
            return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
        }

        if (profile.ReplayJudge && prompt.LastUserText is { } judged)
        {
            var pieces = SimulatedAnswer.Slice(replay.TryJudge(judged, out var score)
                ? score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)
                : "unknown");
            return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
        }

        if (prompt.LastUserText is { } lastUserText && replay.TryFind(lastUserText, prompt.Model, out var recorded))
        {
            var pieces = SimulatedAnswer.Slice(recorded.Response!);
            var tokens = recorded.OutputTokensEst > 0 ? recorded.OutputTokensEst : pieces.Length;
            return SimulatedAnswer.Create(pieces, tokens, maxTokens);
        }

        if (prompt.Format is { Type: "json_schema", Schema: var schema })
        {
            var random = new SplitMix64(hash);
            var pieces = SimulatedAnswer.Slice(ToolCallGenerator.InstanceOf(schema, ref random));
            return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
        }

        return TextAnswerGenerator.Generate(hash, profile, prompt.Format.Type == "json_object", maxTokens);
    }
}
