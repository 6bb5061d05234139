using System.Net;
using ExpertRouter.Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ExpertRouter.Gateway.Hosting;

/// <summary>
/// The gateway's listeners when it has a management port: the API's addresses and the management ones, each bound
/// explicitly so that a connection knows which kind it arrived on (a connection item set by the management
/// listeners). After start, <see cref="Addresses"/> holds the management listeners' bound addresses.
/// </summary>
public sealed class ManagementListeners
{
    /// <summary>Set on every connection a management listener accepts.</summary>
    public const string ConnectionItem = "expertrouter.management";

    private readonly List<ListenOptions> _management = [];

    /// <summary>Where the management listeners listen, ports resolved (empty without a management port).</summary>
    public IReadOnlyList<Uri> Addresses => [.. _management.Select(l => new Uri($"http://{Host(l.IPEndPoint!)}:{l.IPEndPoint!.Port}"))];

    public bool Enabled => _management.Count > 0;

    /// <summary>Binds <paramref name="apiUrls"/> and the management URLs on Kestrel; validation has checked every address.</summary>
    internal void Configure(KestrelServerOptions kestrel, IEnumerable<string> apiUrls, ManagementOptions options)
    {
        foreach (var url in apiUrls)
        {
            if (ListenAddress.TryParse(url, out var address))
            {
                Listen(kestrel, address, _ => { });
            }
        }

        foreach (var url in options.Urls)
        {
            if (ListenAddress.TryParse(url, out var address))
            {
                Listen(kestrel, address, listen =>
                {
                    _management.Add(listen);
                    listen.Use(next => connection =>
                    {
                        connection.Items[ConnectionItem] = true;
                        return next(connection);
                    });
                });
            }
        }
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        switch (address.Host)
        {
            case "localhost":
                kestrel.Listen(IPAddress.Loopback, address.Port, configure);
                break;
            case "*" or "+":
                kestrel.Listen(IPAddress.Any, address.Port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(address.Host), address.Port, configure);
                break;
        }
    }

    private static string Host(IPEndPoint endpoint) =>
        endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1" : endpoint.Address.ToString();
}
