namespace ExpertRouter.Core.Experts;

/// <summary>
/// How long one attempt on an expert may take, in seconds; an unset value takes the gateway's default.
/// <see cref="ConnectSeconds"/> bounds opening the connection, <see cref="FirstTokenSeconds"/> the wait for the first
/// byte of the answer, <see cref="TotalSeconds"/> the whole answer including a stream.
/// </summary>
public sealed record ExpertTimeouts
{
    public double? ConnectSeconds { get; init; }

    public double? FirstTokenSeconds { get; init; }

    public double? TotalSeconds { get; init; }

    /// <summary>This expert's values where set, <paramref name="defaults"/>' elsewhere.</summary>
    public ExpertTimeouts Or(ExpertTimeouts defaults) => new()
    {
        ConnectSeconds = ConnectSeconds ?? defaults.ConnectSeconds,
        FirstTokenSeconds = FirstTokenSeconds ?? defaults.FirstTokenSeconds,
        TotalSeconds = TotalSeconds ?? defaults.TotalSeconds,
    };

    /// <summary>Every problem with the values, each prefixed by <paramref name="path"/>.</summary>
    public IEnumerable<string> Problems(string path)
    {
        foreach (var (name, value) in new[] { ("ConnectSeconds", ConnectSeconds), ("FirstTokenSeconds", FirstTokenSeconds), ("TotalSeconds", TotalSeconds) })
        {
            if (value is { } seconds && (double.IsNaN(seconds) || seconds <= 0 || seconds > 86_400))
            {
                yield return $"{path}:{name}: must be more than 0 and at most 86400 seconds (was {seconds}).";
            }
        }

        if (FirstTokenSeconds is { } first && TotalSeconds is { } total && first > total)
        {
            yield return $"{path}: FirstTokenSeconds ({first}) must not exceed TotalSeconds ({total}).";
        }
    }
}
