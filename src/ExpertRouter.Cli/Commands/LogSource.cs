using ExpertRouter.Evaluation.Importers;
using StackExchange.Redis;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// A source of the gateway's learning log: <c>log:DIR</c> (the request log directory) or <c>log:redis://host:port</c>
/// (the <c>er:log:requests</c> and <c>er:log:exploration</c> streams), optionally followed by <c>:train</c>, <c>:dev</c>,
/// <c>:test</c> or <c>:train+dev</c> (the log importer's split by prompt).
/// </summary>
internal sealed record LogSource(string Location, string[] Splits)
{
    public const string Prefix = "log:";
    public const string RedisScheme = "redis://";
    public const string RequestStream = "er:log:requests";
    public const string ExplorationStream = "er:log:exploration";
    private const int Page = 1000;

    public static bool IsLog(string source) => source.StartsWith(Prefix, StringComparison.Ordinal);

    public static LogSource Parse(string source)
    {
        var location = source[Prefix.Length..];
        var colon = location.LastIndexOf(':');
        var splits = Array.Empty<string>();
        if (colon > 0 && location[(colon + 1)..] is "train" or "dev" or "test" or "train+dev")
        {
            splits = location[(colon + 1)..].Split('+');
            location = location[..colon];
        }

        return new LogSource(location, splits);
    }

    public bool IsRedis => Location.StartsWith(RedisScheme, StringComparison.Ordinal);

    /// <summary>Reads the whole log; a missing directory or an unreachable Redis is an <see cref="IOException"/>.</summary>
    public LearningLog Read()
    {
        if (!IsRedis)
        {
            return LearningLog.ReadDirectory(Location);
        }

        var endpoint = Location[RedisScheme.Length..].TrimEnd('/');
        ConnectionMultiplexer redis;
        try
        {
            redis = ConnectionMultiplexer.Connect(new ConfigurationOptions
            {
                EndPoints = { endpoint },
                AbortOnConnectFail = true,
                ConnectTimeout = 5000,
            });
        }
        catch (RedisConnectionException ex)
        {
            throw new IOException($"{Prefix}{Location}: Redis at '{endpoint}' cannot be reached ({ex.Message}).", ex);
        }

        using (redis)
        {
            var database = redis.GetDatabase();
            return LearningLog.Parse(Json(database, RequestStream), Json(database, ExplorationStream));
        }
    }

    /// <summary>The <c>json</c> field of every entry, oldest first, read in pages (XRANGE with an exclusive start).</summary>
    private static List<string> Json(IDatabase database, string stream)
    {
        var lines = new List<string>();
        RedisValue start = "-";
        while (true)
        {
            var entries = database.StreamRange(stream, start, "+", Page);
            foreach (var entry in entries)
            {
                if (entry.Values.FirstOrDefault(v => v.Name == "json").Value is { IsNullOrEmpty: false } json)
                {
                    lines.Add(json.ToString());
                }
            }

            if (entries.Length < Page)
            {
                return lines;
            }

            start = "(" + entries[^1].Id;
        }
    }
}
