namespace ExpertRouter.Simulation;

/// <summary>Builds a deterministic answer of vocabulary words whose length and words follow from the request hash.</summary>
internal static class TextAnswerGenerator
{
    private static readonly ReadOnlyMemory<char> JsonOpen = "{\"answer\": \"".AsMemory();
    private static readonly ReadOnlyMemory<char> JsonClose = "\"}".AsMemory();

    public static SimulatedAnswer Generate(ulong requestHash, ModelProfile profile, bool jsonObject, int? maxTokens)
    {
        var random = new SplitMix64(requestHash);
        var words = profile.MinAnswerTokens + random.NextInt(profile.MaxAnswerTokens - profile.MinAnswerTokens + 1);
        var extra = jsonObject ? 2 : 0;
        var pieces = new ReadOnlyMemory<char>[words + extra];
        var next = 0;
        if (jsonObject)
        {
            pieces[next++] = JsonOpen;
        }

        for (var i = 0; i < words; i++)
        {
            pieces[next++] = Vocabulary.Token(random.NextInt(Vocabulary.Count), opensText: i == 0);
        }

        if (jsonObject)
        {
            pieces[next] = JsonClose;
        }

        return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens);
    }
}
