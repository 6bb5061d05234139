using System.Globalization;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// What an ensemble response says about itself in headers: every call (<c>expert;role;status</c>, where status is
/// ok, ok(retried n), cached, streamed, timeout, skipped(reason) or failed(reason)), the mode, partial failure and cost.
/// </summary>
public static class EnsembleHeaders
{
    public const string Experts = "x-expertrouter-experts";
    public const string Ensemble = "x-expertrouter-ensemble";
    public const string Decision = "x-expertrouter-ensemble-decision";
    public const string Partial = "x-expertrouter-partial";
    public const string Cost = "x-expertrouter-cost-usd";
    public const string Reserved = "x-expertrouter-reserved-usd";

    /// <param name="streaming">The call still streaming when the headers leave (listed last, as <c>streaming</c>); its cost comes in the usage chunk.</param>
    public static void Write(
        IHeaderDictionary headers, string name, EnsembleOptions options, IReadOnlyList<EnsembleCall> calls, string decision, double reservedUsd,
        (string Expert, ExpertRole Role)? streaming = null)
    {
        var listed = calls.Select(c => $"{c.Result.Expert.Id};{Role(c.Role)};{c.Result.StatusText}");
        headers[Experts] = string.Join(", ", streaming is { } live ? listed.Append($"{live.Expert};{Role(live.Role)};streaming") : listed);
        headers[Ensemble] = $"{Mode(options.Mode)};{name}";
        headers[Decision] = Ascii(decision);
        var failed = calls.Count(c => !c.Result.Succeeded);
        if (failed > 0)
        {
            headers[Partial] = $"{failed} of {calls.Count + (streaming is null ? 0 : 1)} failed";
        }

        headers[Cost] = calls.Sum(c => c.Result.CostUsd).ToString("0.########", CultureInfo.InvariantCulture);
        headers[Reserved] = reservedUsd.ToString("0.########", CultureInfo.InvariantCulture);
    }

    public static string Mode(EnsembleMode mode) => mode.ToString().ToLowerInvariant();

    private static string Role(ExpertRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Header values must be ASCII; answers quoted in the decision may not be.</summary>
    private static string Ascii(string text) => new(text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
