using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: ExpertRouter.AllocationTrace <trace.nettrace> <requests served while it was taken> [rows]
// The runtime samples an allocation every ~100 KB (GCAllocationTick) and names the type and the stack that made it; the
// sampled bytes over the requests served in the window are the bytes a request allocates, by type and by stack.
if (args.Length < 2 || !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: ExpertRouter.AllocationTrace <trace.nettrace> <requests> [rows]");
    return 2;
}

var rows = args.Length > 2 && int.TryParse(args[2], out var r) ? r : 40;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var byStack = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var bytes = tick.AllocationAmount64;
    var type = tick.TypeName ?? "?";
    total += bytes;
    byType[type] = byType.GetValueOrDefault(type) + bytes;
    var frames = new List<string>();
    for (var frame = e.CallStack(); frame is not null && frames.Count < 3; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (!string.IsNullOrEmpty(name) && !name.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal))
        {
            frames.Add(name.Length > 90 ? name[..90] : name);
        }
    }

    var key = type + "  <=  " + string.Join("  <  ", frames);
    byStack[key] = byStack.GetValueOrDefault(key) + bytes;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated per request: {total / requests / 1024.0:F2} KB ({total / 1024.0 / 1024.0:F0} MB sampled over {requests:F0} requests)"));
Console.WriteLine("bytes/request  type");
foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(rows))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / requests,13:F0}  {type}"));
}

Console.WriteLine("bytes/request  type  <=  allocating frames");
foreach (var (stack, bytes) in byStack.OrderByDescending(p => p.Value).Take(rows))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / requests,13:F0}  {stack}"));
}

return 0;
