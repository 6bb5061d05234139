namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A prompt as far as it can be taken without the model (hashed n-grams, say): what a caller prepares on its own
/// thread before a batch takes the model, so that a batch holds the model only for its run.
/// </summary>
public abstract record EncodedPrompt;

/// <summary>A prompt whose encoding happens with the model's run (a BERT encoder tokenizes its whole batch).</summary>
public sealed record PromptText(string Text) : EncodedPrompt;
