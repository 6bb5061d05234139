using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// Two ways a connection dies. A reset aborts it (TCP RST, zero linger) before any byte. A cut declares a body longer
/// than what is sent and then simply stops: Kestrel cannot end such a response cleanly, so it flushes every byte
/// written and closes the connection, and the client reads all events sent before the cut and then a premature
/// end of the body. (An abort would be racy here: Kestrel's abort drops output its send loop has not yet written.)
/// </summary>
internal static class ConnectionBreaker
{
    /// <summary>A Content-Length no simulated answer reaches.</summary>
    private const long UnreachableLength = 1L << 40;

    public static void Reset(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed: there is nothing left to reset.
            }
        }

        context.Abort();
    }

    /// <summary>Call before the response starts; returning from the handler early then cuts the body.</summary>
    public static void PrepareCut(HttpResponse response, long declaredLength = UnreachableLength) => response.ContentLength = declaredLength;
}
