namespace ExpertRouter.Core.Ensembles;

/// <summary>
/// Confidence-triggered fan-out: ask several experts only when the router cannot tell its top two apart, i.e. their
/// predicted qualities lie within <c>margin</c>; otherwise the first expert alone answers.
/// </summary>
public static class FanOutRule
{
    public static bool ShouldFanOut(double topQuality, double secondQuality, double margin) =>
        double.IsNaN(topQuality) || double.IsNaN(secondQuality) || topQuality - secondQuality < margin;
}
