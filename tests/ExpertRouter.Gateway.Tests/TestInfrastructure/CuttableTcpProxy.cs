using System.Net;
using System.Net.Sockets;

namespace ExpertRouter.Testing;

/// <summary>
/// A loopback TCP relay in front of a server that a test can cut and restore, simulating a network outage
/// while the server (and its data) lives on, or freeze and thaw, simulating a server that stops answering
/// (SIGSTOP): connections stay open, bytes sent meanwhile are held and delivered, in order, on thaw.
/// </summary>
public sealed class CuttableTcpProxy : IDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();
    private volatile TaskCompletionSource _flowing = Flowing();

    public CuttableTcpProxy(string upstreamEndpoint)
    {
        var parts = upstreamEndpoint.Split(':');
        var host = parts[0] == "localhost" ? IPAddress.Loopback : IPAddress.Parse(parts[0]);
        _upstream = new IPEndPoint(host, int.Parse(parts[1]));
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Restore();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Drops every connection and refuses new ones.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            _open.ForEach(c => c.Dispose());
            _open.Clear();
        }
    }

    /// <summary>Holds every byte in both directions until <see cref="Thaw"/>; connections stay open.</summary>
    public void Freeze() => _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Thaw() => _flowing.TrySetResult();

    public void Restore()
    {
        _cut = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptLoop(_listener, _cut.Token);
    }

    public void Dispose()
    {
        Thaw();
        Cut();
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptLoop(TcpListener listener, CancellationToken cut)
    {
        while (!cut.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cut);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_upstream, cut);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            _ = Pump(client.GetStream(), server.GetStream(), cut, () => _flowing.Task);
            _ = Pump(server.GetStream(), client.GetStream(), cut, () => _flowing.Task);
        }
    }

    private static async Task Pump(Stream from, Stream to, CancellationToken cut, Func<Task> flowing)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cut)) > 0)
            {
                await flowing().WaitAsync(cut);
                await to.WriteAsync(buffer.AsMemory(0, read), cut);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The cut closes both sides; the client sees a dropped connection, as with a real outage.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
