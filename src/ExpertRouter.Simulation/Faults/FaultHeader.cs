using System.Globalization;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Simulation;

/// <summary>
/// Parses the per-request override <c>x-simulator-fault: kind[;key=value...]</c>, e.g.
/// <c>status;code=429;retry-after=2</c>, <c>delay;ms=300</c>, <c>reset</c>, <c>midstream-cut;after=3</c>,
/// <c>slow-stream;ms=20</c>. Keys: code, retry-after, body, ms, after.
/// </summary>
internal static class FaultHeader
{
    public const string Name = SimulatorHeaders.Fault;

    public static bool TryParse(string header, out InjectedFault? fault, out ApiError? error)
    {
        fault = null;
        error = null;
        var parts = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !FaultKinds.TryParse(parts[0], out var kind))
        {
            error = ApiError.InvalidRequest($"{Name} must start with one of {FaultKinds.Names}.", Name, "invalid_fault");
            return false;
        }

        var result = new InjectedFault(kind);
        foreach (var part in parts.AsSpan(1))
        {
            var equals = part.IndexOf('=');
            var key = equals < 0 ? part : part[..equals].Trim().ToLowerInvariant();
            var value = equals < 0 ? "" : part[(equals + 1)..].Trim();
            if (key == "body")
            {
                result = result with { Body = value };
                continue;
            }

            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 0)
            {
                error = ApiError.InvalidRequest($"{Name}: '{part}' needs a non-negative integer value.", Name, "invalid_fault");
                return false;
            }

            switch (key)
            {
                case "code" or "status": result = result with { StatusCode = number }; break;
                case "retry-after": result = result with { RetryAfterSeconds = number }; break;
                case "ms" or "delay": result = result with { DelayMs = number }; break;
                case "after" or "chunks": result = result with { AfterChunks = number }; break;
                default:
                    error = ApiError.InvalidRequest($"{Name}: unknown key '{key}' (known: code, retry-after, body, ms, after).", Name, "invalid_fault");
                    return false;
            }
        }

        if (result.StatusCode is < 100 or > 599)
        {
            error = ApiError.InvalidRequest($"{Name}: code must be an HTTP status code.", Name, "invalid_fault");
            return false;
        }

        fault = result;
        return true;
    }
}
