using System.Collections.Frozen;

namespace ExpertRouter.Core.Ensembles;

/// <summary>The built-in extractors by name; <see cref="Default"/> is ZeroEval's JSON rule.</summary>
public static class AnswerExtractors
{
    public const string Default = JsonAnswerExtractor.ExtractorName;

    public static FrozenDictionary<string, IAnswerExtractor> BuiltIn { get; } = new IAnswerExtractor[]
    {
        new JsonAnswerExtractor(),
        new MmluLetterExtractor(),
        new LastNumberExtractor(),
    }.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out IAnswerExtractor extractor) => BuiltIn.TryGetValue(name, out extractor!);
}
