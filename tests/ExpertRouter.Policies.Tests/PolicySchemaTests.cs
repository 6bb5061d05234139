using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using ExpertRouter.Testing;
using YamlDotNet.RepresentationModel;

namespace ExpertRouter.Policies.Tests;

/// <summary>The JSON Schema editors use and the reader the gateway uses must describe the same format.</summary>
public sealed class PolicySchemaTests
{
    [Fact]
    public void Schema_AndReader_KnowTheSameSettings()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(TempFolder.RepositoryRoot(), "policies", "policy.schema.json")));
        var schemaPaths = Paths(schema.RootElement.GetProperty("properties"), "").Order().ToList();
        var yaml = PolicyYamlReaderTests.FullPolicy() + "\n";
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml.Replace("  lambda: 0.5", "  costTarget:\n    maxCostFractionOfBest: 0.3\n    averageCostPer1kRequestsUsd: 1")));
        var examplePaths = Paths((YamlMappingNode)stream.Documents[0].RootNode, "").Order().ToList();

        Assert.Equal(schemaPaths.Where(p => p != "router.lambda"), examplePaths);
        Assert.Contains("router.lambda", schemaPaths);
        // A former name stays in the schema, marked deprecated, for as long as the reader accepts it.
        Assert.True(schema.RootElement.GetProperty("properties").GetProperty("aggregation").GetProperty("deprecated").GetBoolean());
        Assert.Empty(PolicyYamlReader.Parse("full.yaml", yaml).Errors);
    }

    private static IEnumerable<string> Paths(JsonElement properties, string prefix)
    {
        foreach (var property in properties.EnumerateObject())
        {
            if (property.Value.TryGetProperty("deprecated", out var deprecated) && deprecated.GetBoolean())
            {
                continue;
            }

            var path = prefix + property.Name;
            yield return path;
            if (property.Value.TryGetProperty("properties", out var nested))
            {
                foreach (var child in Paths(nested, path + "."))
                {
                    yield return child;
                }
            }
        }
    }

    private static IEnumerable<string> Paths(YamlMappingNode node, string prefix)
    {
        foreach (var (key, value) in node.Children)
        {
            var path = prefix + ((YamlScalarNode)key).Value;
            yield return path;
            // Tags hold free-form names, not settings.
            if (value is YamlMappingNode mapping && path != "tags")
            {
                foreach (var child in Paths(mapping, path + "."))
                {
                    yield return child;
                }
            }
        }
    }
}
