namespace ExpertRouter.Core.Feedback;

/// <summary>
/// Reads the request log the way feedback means it: each request record gets the score of the last feedback record
/// for the same tenant and request id (a client may change its mind; every score stays in the log). Requests nobody
/// scored come back unscored; feedback for a request the log does not hold is left out.
/// </summary>
public static class RequestLogJoin
{
    public static IReadOnlyList<RequestLogRecord> Scored(IEnumerable<RequestLogRecord> records)
    {
        var requests = new List<RequestLogRecord>();
        var last = new Dictionary<(string Tenant, string Id), RequestLogRecord>();
        foreach (var record in records)
        {
            if (record.Kind == RequestLogRecord.FeedbackKind)
            {
                last[(record.Tenant, record.RequestId)] = record;
            }
            else
            {
                requests.Add(record);
            }
        }

        return [.. requests.Select(r => last.TryGetValue((r.Tenant, r.RequestId), out var feedback)
            ? r with { Score = feedback.Score, Thumbs = feedback.Thumbs, Comment = feedback.Comment, Metric = feedback.Metric }
            : r)];
    }
}
