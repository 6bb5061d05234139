using System.CommandLine;
using ExpertRouter.Policies;

namespace ExpertRouter.Cli.Commands;

/// <summary><c>expertrouter keys new --tenant &lt;id&gt;</c>: a new API key, printed once; only its hash is written.</summary>
internal static class KeysCommand
{
    public static Command Create(TimeProvider time)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant id (the policy's 'id').", Required = true };
        var policies = PolicyFolderOption.Create();
        var create = new Command("new", "Create an API key for a tenant: prints the key once and adds its SHA-256 to the tenant's policy file.")
        {
            tenant,
            policies,
        };
        create.SetAction(parse =>
        {
            var (key, errors) = PolicyFiles.AddKey(parse.GetValue(policies)!, parse.GetValue(tenant)!, time.GetUtcNow());
            return IssuedKeyOutput.Write(parse, key, errors);
        });

        return new Command("keys", "Manage tenant API keys.") { create };
    }
}
