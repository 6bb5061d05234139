using System.Text.RegularExpressions;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>Collects every configuration problem so start-up reports them all at once.</summary>
public static partial class GatewayOptionsValidator
{
    public static IReadOnlyList<string> Validate(GatewayOptions options, IReadOnlyCollection<string> routerNames)
    {
        var errors = new List<string>();
        if (options.Experts.Count == 0)
        {
            errors.Add("ExpertRouter:Experts: at least one expert is required.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Experts.Count; i++)
        {
            ValidateExpert(options.Experts[i], $"ExpertRouter:Experts:{i}", ids, errors);
        }

        if (!routerNames.Contains(options.DefaultRouter))
        {
            errors.Add($"ExpertRouter:DefaultRouter: unknown router '{options.DefaultRouter}' (known: {string.Join(", ", routerNames)}).");
        }

        if (options.MaxRequestBodyBytes <= 0)
        {
            errors.Add("ExpertRouter:MaxRequestBodyBytes: must be positive.");
        }

        if (options.UpstreamTimeoutSeconds <= 0)
        {
            errors.Add("ExpertRouter:UpstreamTimeoutSeconds: must be positive.");
        }

        var chatExperts = options.Experts.Where(e => e.Capabilities.Chat).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, ensemble) in options.Ensembles)
        {
            var problems = new List<string>();
            ensemble.CollectProblems(name, chatExperts.Contains, problems);
            errors.AddRange(problems.Select(p => "ExpertRouter:" + p));
        }

        if (options.MaxFallbacks < 0)
        {
            errors.Add("ExpertRouter:MaxFallbacks: must not be negative.");
        }

        ResilienceOptionsValidator.Collect(options, errors);
        var management = new List<string>();
        options.Management.CollectProblems(management);
        errors.AddRange(management.Select(p => "ExpertRouter:" + p));

        for (var i = 0; i < options.Routers.Count; i++)
        {
            var router = options.Routers[i];
            if (!File.Exists(System.IO.Path.Combine(router.ResolvedPath(), "router.json")))
            {
                errors.Add($"ExpertRouter:Routers:{i}:Path: no router.json in '{router.Path}'.");
            }

            errors.AddRange(router.Serving.Validate().Select(e => $"ExpertRouter:Routers:{i}:Serving: {e}"));
        }

        if (options.DefaultMaxOutputTokens <= 0)
        {
            errors.Add("ExpertRouter:DefaultMaxOutputTokens: must be positive.");
        }

        if (options.AdminKeySha256 is { } adminHash && !Sha256Hex().IsMatch(adminHash))
        {
            errors.Add("ExpertRouter:AdminKeySha256: must be the lower-case hex SHA-256 of the admin key, not the key itself.");
        }

        if (options.Policies is not null && options.Tenants.Count > 0)
        {
            errors.Add("ExpertRouter:Tenants: inline tenants are ignored when ExpertRouter:Policies names a policy folder; use one or the other.");
        }

        if (options.Redis is { Length: > 0 } redis && !IsRedisConnectionString(redis))
        {
            errors.Add("ExpertRouter:Redis: not a valid StackExchange.Redis connection string (for example 'localhost:6379,password=...').");
        }

        if (options.SimulatorUrl is { } simulatorUrl
            && !(Uri.TryCreate(simulatorUrl, UriKind.Absolute, out var simulator) && simulator.Scheme is "http" or "https"))
        {
            errors.Add($"ExpertRouter:SimulatorUrl: '{simulatorUrl}' is not an absolute http(s) URL.");
        }

        var tenantIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var path = $"ExpertRouter:Tenants:{i}";
            if (string.IsNullOrWhiteSpace(tenant.Id))
            {
                errors.Add($"{path}:Id: required.");
            }
            else if (!tenantIds.Add(tenant.Id))
            {
                errors.Add($"{path}:Id: duplicate tenant '{tenant.Id}'.");
            }

            foreach (var hash in tenant.ApiKeySha256.Where(h => !Sha256Hex().IsMatch(h)))
            {
                errors.Add($"{path}:ApiKeySha256: '{hash}' is not a lower-case hex SHA-256.");
            }

            if (!routerNames.Contains(tenant.Router))
            {
                errors.Add($"{path}:Router: unknown router '{tenant.Router}'.");
            }

            foreach (var expert in tenant.AllowedExperts.Concat(tenant.DeniedExperts).Where(e => !ids.Contains(e)))
            {
                errors.Add($"{path}: names unknown expert '{expert}'.");
            }

            if (tenant.MaxLatencyMs is <= 0)
            {
                errors.Add($"{path}:MaxLatencyMs: must be positive when set.");
            }
        }

        errors.AddRange(CacheSettingsValidator.Validate(options.Cache));
        var console = new List<string>();
        options.Console.CollectProblems(console);
        errors.AddRange(console.Select(p => "ExpertRouter:" + p));
        errors.AddRange(options.Capacity.Validate());
        LearningOptionsValidator.Collect(options, routerNames, ids, errors);
        return errors;
    }

    private static void ValidateExpert(ExpertDefinition expert, string path, HashSet<string> ids, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(expert.Id))
        {
            errors.Add($"{path}:Id: required.");
        }
        else if (!ids.Add(expert.Id))
        {
            errors.Add($"{path}:Id: duplicate expert '{expert.Id}'.");
        }
        else if (ModelAliases.IsReserved(expert.Id))
        {
            errors.Add($"{path}:Id: '{expert.Id}' is reserved for routing aliases.");
        }

        if (expert.Simulated == (expert.BaseUrls.Count > 0))
        {
            errors.Add($"{path}: set exactly one of Simulated or BaseUrls.");
        }

        foreach (var url in expert.BaseUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{path}:BaseUrls: '{url}' is not an absolute http(s) URL.");
            }
        }

        if (expert.InputUsdPerMTok < 0 || expert.OutputUsdPerMTok < 0)
        {
            errors.Add($"{path}: prices must not be negative.");
        }

        if (expert.ExpectedOutputTokens <= 0)
        {
            errors.Add($"{path}:ExpectedOutputTokens: must be positive.");
        }

        if (!expert.Capabilities.Chat && !expert.Capabilities.Embeddings)
        {
            errors.Add($"{path}:Capabilities: an expert must serve chat or embeddings.");
        }

        if (expert.Capacity is { } capacity)
        {
            errors.AddRange(capacity.Problems($"{path}:Capacity"));
            if (expert.Id.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                // The quota's Redis keys are er:{x:<id>}:...; a brace in the id would break the Cluster hash tag.
                errors.Add($"{path}:Id: an expert with a Capacity must not have '{{' or '}}' in its id.");
            }
        }

        foreach (var api in expert.Apis.Where(a => !ExpertApis.IsKnown(a)))
        {
            errors.Add($"{path}:Apis: unknown API '{api}' (known: {string.Join(", ", ExpertApis.All)}).");
        }

        if (expert.Apis.Count > 0 && !expert.Capabilities.Chat)
        {
            errors.Add($"{path}:Apis: only an expert that serves chat can speak another chat API natively.");
        }

        if (expert.ApiKeyEnvironmentVariable is { } variable && Environment.GetEnvironmentVariable(variable) is null)
        {
            errors.Add($"{path}:ApiKeyEnvironmentVariable: environment variable '{variable}' is not set.");
        }
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    private static bool IsRedisConnectionString(string value)
    {
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(value).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
