using System.CommandLine;
using ExpertRouter.Policies;

namespace ExpertRouter.Cli.Commands;

/// <summary><c>expertrouter tenants add</c>: a new policy file with defaults and a first API key.</summary>
internal static class TenantsCommand
{
    public static Command Create(TimeProvider time)
    {
        var id = new Option<string>("--id") { Description = "Tenant id: a-z, 0-9, '-', '_', '.'; also the file name.", Required = true };
        var daily = new Option<double?>("--daily-budget-usd") { Description = "Daily budget in USD (UTC day); none when omitted." };
        var monthly = new Option<double?>("--monthly-budget-usd") { Description = "Monthly budget in USD (UTC month); none when omitted." };
        var policies = PolicyFolderOption.Create();
        var add = new Command("add", "Create a tenant: writes <policies>/<id>.yaml with defaults and prints its API key once.")
        {
            policies,
            id,
            daily,
            monthly,
        };
        add.SetAction(parse =>
        {
            var (key, errors) = PolicyFiles.AddTenant(parse.GetValue(policies)!, parse.GetValue(id)!, parse.GetValue(daily), parse.GetValue(monthly), time.GetUtcNow());
            return IssuedKeyOutput.Write(parse, key, errors);
        });

        return new Command("tenants", "Manage tenant policies.") { add };
    }
}
