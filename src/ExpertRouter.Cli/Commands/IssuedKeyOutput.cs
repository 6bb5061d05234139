using System.CommandLine;
using ExpertRouter.Policies;

namespace ExpertRouter.Cli.Commands;

internal static class PolicyFolderOption
{
    public static Option<string> Create() => new("--policies")
    {
        Description = "Folder of tenant policy files.",
        DefaultValueFactory = _ => "policies",
    };
}

/// <summary>The key alone on stdout (so scripts can capture it), everything else on stderr.</summary>
internal static class IssuedKeyOutput
{
    public static int Write(ParseResult parse, IssuedKey? key, IReadOnlyList<PolicyError> errors)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        if (key is null)
        {
            foreach (var problem in errors)
            {
                error.WriteLine(problem);
            }

            return 1;
        }

        output.WriteLine(key.ApiKey);
        error.WriteLine($"Tenant '{key.TenantId}': key hash written to {key.PolicyFile}. The key is shown only this once; store it now.");
        return 0;
    }
}
