using ExpertRouter.Gateway.Hosting;

var app = await GatewayApp.CreateAsync(args);
await app.RunAsync();

/// <summary>Entry point; exposed so functional tests can reference the assembly.</summary>
public partial class Program;
