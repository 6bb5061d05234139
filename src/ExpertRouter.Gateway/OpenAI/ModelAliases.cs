namespace ExpertRouter.Gateway.OpenAI;

/// <summary>The <c>model</c> values that ask for routing instead of naming an expert.</summary>
public static class ModelAliases
{
    public const string Auto = "auto";
    public const string RouterPrefix = "router/";
    public const string EnsemblePrefix = "ensemble/";

    public static bool IsReserved(string model) =>
        model == Auto || model.StartsWith(RouterPrefix, StringComparison.Ordinal) || model.StartsWith(EnsemblePrefix, StringComparison.Ordinal);

    /// <summary>
    /// The router a model value asks for: null for an expert id, the tenant's router for <c>auto</c> and for
    /// ensembles (which rank their members with it).
    /// </summary>
    public static string? RouterFor(string model, string tenantRouter) =>
        model == Auto || model.StartsWith(EnsemblePrefix, StringComparison.Ordinal) ? tenantRouter
        : model.StartsWith(RouterPrefix, StringComparison.Ordinal) ? model[RouterPrefix.Length..]
        : null;

    /// <summary>The ensemble a model value names (<c>ensemble/&lt;name&gt;</c>), or null.</summary>
    public static string? EnsembleFor(string model) =>
        model.StartsWith(EnsemblePrefix, StringComparison.Ordinal) ? model[EnsemblePrefix.Length..] : null;
}
