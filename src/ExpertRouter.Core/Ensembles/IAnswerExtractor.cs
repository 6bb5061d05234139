namespace ExpertRouter.Core.Ensembles;

/// <summary>
/// Pulls the final answer out of an expert's free-text response so that answers from different experts can be
/// compared. Returns a normalised answer, or null when the response holds none (such a response casts no vote).
/// </summary>
public interface IAnswerExtractor
{
    string Name { get; }

    string? Extract(string response);
}
