namespace ExpertRouter.Simulation;

/// <summary>The words generated answers are made of, kept as shared memory so answering allocates no text.</summary>
internal static class Vocabulary
{
    private static readonly string[] Words =
    [
        "the", "answer", "depends", "on", "several", "factors", "first", "consider", "model", "routing", "cost",
        "quality", "request", "expert", "result", "because", "each", "step", "follows", "from", "previous", "value",
        "so", "we", "compute", "total", "then", "check", "it", "against", "given", "data", "therefore", "final",
        "is", "clear", "simple", "example", "shows", "how", "this", "works", "in", "practice", "with", "small",
        "numbers", "and", "large", "ones", "alike", "note", "that", "a", "careful", "reading", "helps", "here",
        "every", "case", "holds", "true", "overall", "well",
    ];

    private static readonly ReadOnlyMemory<char>[] First = Words.Select(word => word.AsMemory()).ToArray();
    private static readonly ReadOnlyMemory<char>[] Following = Words.Select(word => (" " + word).AsMemory()).ToArray();

    public static int Count => Words.Length;

    public static string Word(int index) => Words[index];

    /// <summary>The word as a token: with a leading space unless it opens the text.</summary>
    public static ReadOnlyMemory<char> Token(int index, bool opensText) => opensText ? First[index] : Following[index];
}
