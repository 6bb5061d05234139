namespace ExpertRouter.Gateway.Configuration;

/// <summary>Lists every problem in <c>ExpertRouter:Cache</c>, for start-up to report with the others.</summary>
public static class CacheSettingsValidator
{
    public const string Section = "ExpertRouter:Cache";

    public static IEnumerable<string> Validate(CacheSettings settings)
    {
        foreach (var error in Validate(settings.Default, $"{Section}:Default"))
        {
            yield return error;
        }

        foreach (var (tenant, options) in settings.Tenants)
        {
            foreach (var error in Validate(options, $"{Section}:Tenants:{tenant}"))
            {
                yield return error;
            }
        }

        if (settings.MaxEntries <= 0)
        {
            yield return $"{Section}:MaxEntries: must be positive.";
        }

        if (settings.MaxBytes <= 0 || settings.MaxEntryBytes <= 0 || settings.MaxEntryBytes > settings.MaxBytes)
        {
            yield return $"{Section}: MaxBytes and MaxEntryBytes must be positive, with MaxEntryBytes <= MaxBytes.";
        }

        if (settings.SemanticCatchUp < TimeSpan.Zero)
        {
            yield return $"{Section}:SemanticCatchUp: must not be negative.";
        }

        if (settings.EmbeddingDimensions is <= 0 or > 4096)
        {
            yield return $"{Section}:EmbeddingDimensions: must be between 1 and 4096.";
        }

        foreach (var error in settings.EmbedderServing.Validate())
        {
            yield return $"{Section}:EmbedderServing: {error}";
        }
    }

    private static IEnumerable<string> Validate(TenantCacheOptions options, string path)
    {
        if (options.Ttl <= TimeSpan.Zero)
        {
            yield return $"{path}:Ttl: must be positive.";
        }

        if (options.SemanticThreshold is <= 0 or > 1 || double.IsNaN(options.SemanticThreshold))
        {
            yield return $"{path}:SemanticThreshold: must be in (0, 1].";
        }

        if (!CacheEmbedderNames.All.Contains(options.Embedder, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"{path}:Embedder: '{options.Embedder}' is not one of {string.Join(", ", CacheEmbedderNames.All)}.";
        }
    }
}
