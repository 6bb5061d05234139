using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// Two ways a connection dies, both ending in Kestrel's abortive close (RST). A reset happens before any byte. A cut
/// happens after some bytes, and Kestrel's abort drops output its send loop has not yet handed to the socket, so a
/// cut first gives the send loop a moment of real time: the client then reliably reads every event sent before the
/// cut and then an error, instead of sometimes seeing a failure before the first byte.
/// </summary>
internal static class ConnectionBreaker
{
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

    /// <summary>Real time, not simulated time: it lets bytes reach the socket, it does not model the expert.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(30);

    public static async Task CutAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(DrainGrace, TimeProvider.System, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client left first; aborting is still right.
        }

        context.Abort();
    }
}
