using System.CommandLine;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter keys new --tenant &lt;id&gt;</c>: a new API key, printed once; only its hash is written.
/// <c>expertrouter keys admin</c>: a new admin key and the <c>ExpertRouter:AdminKeySha256</c> value that opens
/// <c>/admin</c> and the console with it. <c>expertrouter keys hash &lt;key&gt;</c>: the hash of a key someone holds.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(TimeProvider time) => new("keys", "Manage tenant API keys, the admin key and key hashes.")
    {
        CreateTenantKey(time),
        CreateAdminKey(),
        CreateHash(),
    };

    private static Command CreateTenantKey(TimeProvider time)
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
        return create;
    }

    private static Command CreateAdminKey()
    {
        var admin = new Command("admin", "Create an admin key: prints the key once (stdout) and, on stderr, its SHA-256 and the setting that enables it.");
        admin.SetAction(parse =>
        {
            // The key is a secret: drawn from the operating system's cryptographic generator, never a seeded one.
            var key = ApiKeyGenerator.NewKey(ApiKeyGenerator.AdminPrefix);
            var hash = ApiKeyHash.Sha256Hex(key);
            parse.InvocationConfiguration.Output.WriteLine(key);
            var error = parse.InvocationConfiguration.Error;
            error.WriteLine($"SHA-256: {hash}");
            error.WriteLine("Give the gateway the hash, never the key, in one of these forms:");
            error.WriteLine($"  environment:       ExpertRouter__AdminKeySha256={hash}");
            error.WriteLine($"  appsettings.json:  \"ExpertRouter\": {{ \"AdminKeySha256\": \"{hash}\" }}");
            error.WriteLine($"  command line:      --ExpertRouter:AdminKeySha256={hash}");
            error.WriteLine("The key opens /admin/* and the console at /ui/ (as a bearer token, or on the login form). It is shown only this once; store it now.");
            return 0;
        });
        return admin;
    }

    private static Command CreateHash()
    {
        var key = new Argument<string>("key") { Description = "The key to hash (as a client sends it after 'Bearer ')." };
        var hash = new Command("hash", "Print the lower-case hex SHA-256 of a key, as policy files and ExpertRouter:*KeySha256 settings hold it.") { key };
        hash.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(ApiKeyHash.Sha256Hex(parse.GetValue(key)!));
            return 0;
        });
        return hash;
    }
}
