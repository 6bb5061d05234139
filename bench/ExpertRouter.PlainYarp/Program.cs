using Yarp.ReverseProxy.Configuration;

// A plain YARP pass-through: /v1/{**} to one upstream, no parsing, routing or telemetry. Same Kestrel defaults and
// GC settings as the gateway, so the difference between the two is the gateway's own work.
//   dotnet ExpertRouter.PlainYarp.dll --urls http://127.0.0.1:9100 --upstream http://127.0.0.1:9001/
var builder = WebApplication.CreateBuilder(args);
var upstream = builder.Configuration["upstream"]
    ?? throw new InvalidOperationException("Pass --upstream http://127.0.0.1:PORT/ (the server that owns /v1).");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "v1", ClusterId = "upstream", Match = new RouteMatch { Path = "/v1/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "upstream",
        Destinations = new Dictionary<string, DestinationConfig> { ["0"] = new() { Address = upstream } },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
