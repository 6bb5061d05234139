namespace ExpertRouter.Core.Experts;

/// <summary>
/// The same cheap estimate the recorded data uses (about four characters per token), so costs predicted at
/// routing time and costs replayed by the evaluation harness are comparable.
/// </summary>
public static class TokenEstimate
{
    public static int FromCharacters(int characters) => characters <= 0 ? 0 : (characters + 3) / 4;

    public static int FromText(string? text) => FromCharacters(text?.Length ?? 0);
}
