namespace ExpertRouter.Gateway;

/// <summary>The <c>model</c> values that ask for routing instead of naming an expert.</summary>
public static class ModelAliases
{
    public const string Auto = "auto";
    public const string RouterPrefix = "router/";

    public static bool IsReserved(string model) =>
        model == Auto || model.StartsWith(RouterPrefix, StringComparison.Ordinal);

    /// <summary>The router a model value asks for: null for an expert id, the tenant's router for <c>auto</c>.</summary>
    public static string? RouterFor(string model, string tenantRouter) =>
        model == Auto ? tenantRouter
        : model.StartsWith(RouterPrefix, StringComparison.Ordinal) ? model[RouterPrefix.Length..]
        : null;
}
