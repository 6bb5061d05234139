using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Gateway.Routing;

/// <summary>A router folder the gateway serves (<c>ExpertRouter:Routers</c>), and how to serve it.</summary>
public sealed record RouterFolderSource(string Folder, OnnxServingOptions Serving);

/// <summary>Loads a router folder into a router; the gateway's is <see cref="IrtSkillRouter.Load"/>.</summary>
public delegate IRouter RouterFolderLoader(string folder, OnnxServingOptions serving);

/// <summary>What the registry reads from a router folder besides the router: its version and whether it changed.</summary>
internal static class RouterFolders
{
    /// <summary>
    /// A cheap change marker: every file's name, size and write time. Reading it every poll costs a directory listing;
    /// the content is hashed only when the marker moves.
    /// </summary>
    public static string? Stamp(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var file in new DirectoryInfo(folder).GetFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            text.Append(file.Name).Append('|').Append(file.Length).Append('|').Append(file.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>router.json</c>'s <c>version</c> when it states one, else <c>sha256:</c> and the first 12 hex digits of a hash
    /// of the folder's files: the same bytes give the same version on every replica.
    /// </summary>
    public static string Version(string folder)
    {
        var manifest = Path.Combine(folder, RouterManifest.FileName);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(manifest));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("version", out var version))
            {
                var stated = version.ValueKind switch
                {
                    JsonValueKind.String => version.GetString(),
                    JsonValueKind.Number => version.GetRawText(),
                    _ => null,
                };
                if (!string.IsNullOrWhiteSpace(stated))
                {
                    return stated;
                }
            }
        }
        catch (JsonException)
        {
            // The loader reports an unreadable manifest with the rest of the folder's errors.
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
            }
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    /// <summary>
    /// Each expert's <c>labels</c> in <c>router.json</c> (the prompts the router learned it from), for the experts that
    /// state one; empty for a folder written before the count was recorded.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Labels(string folder)
    {
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, RouterManifest.FileName)));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("experts", out var experts) && experts.ValueKind == JsonValueKind.Array)
            {
                foreach (var expert in experts.EnumerateArray())
                {
                    if (expert.ValueKind == JsonValueKind.Object
                        && expert.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                        && expert.TryGetProperty("labels", out var count) && count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out var n) && n >= 0)
                    {
                        labels[id.GetString()!] = n;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The loader has already accepted this manifest; an unreadable one simply records no counts.
        }

        return labels;
    }

    /// <summary>
    /// What must hold in <c>router.json</c> before the loader reads it: the manifest's own validation dereferences
    /// <c>encoder</c> and <c>experts</c> unchecked when they are absent, so a half-written file is reported here, every
    /// problem at once, instead of as a null reference.
    /// </summary>
    public static IReadOnlyList<string> Preflight(string folder)
    {
        var path = Path.Combine(folder, RouterManifest.FileName);
        if (!File.Exists(path))
        {
            return [$"{RouterManifest.FileName} is missing."];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            return [$"{RouterManifest.FileName} is not valid JSON: {ex.Message}"];
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return [$"{RouterManifest.FileName} must hold a JSON object."];
            }

            var errors = new List<string>();
            if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != RouterManifest.CurrentFormat)
            {
                errors.Add($"format must be '{RouterManifest.CurrentFormat}'.");
            }

            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            {
                errors.Add("name must be a non-empty string.");
            }

            if (!root.TryGetProperty("encoder", out var encoder) || encoder.ValueKind != JsonValueKind.Object)
            {
                errors.Add("encoder must be an object.");
            }

            if (!root.TryGetProperty("experts", out var experts) || experts.ValueKind != JsonValueKind.Array || experts.GetArrayLength() == 0)
            {
                errors.Add("experts must list at least one expert.");
            }

            var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "model.onnx";
            if (!File.Exists(Path.Combine(folder, model)))
            {
                errors.Add($"the model file '{model}' is missing.");
            }

            return errors;
        }
    }

    /// <summary>Why a freshly loaded router must not serve under <paramref name="name"/>; empty when it may.</summary>
    public static IReadOnlyList<string> Check(IRouter router, string? name)
    {
        var errors = new List<string>();
        if (name is not null && router.Name != name)
        {
            errors.Add($"router.json names the router '{router.Name}', but this folder serves '{name}': a reload keeps a router's name, which tenant policies use.");
        }

        if (router is IrtSkillRouter irt)
        {
            // One prediction before serving: a graph that loads but cannot run must not replace one that can.
            var probabilities = irt.PredictBatch(["Is this router ready to serve?"])[0];
            if (probabilities.Any(p => !float.IsFinite(p) || p is < 0 or > 1))
            {
                errors.Add("the model's test prediction is not a probability for every expert (" +
                    string.Join(", ", probabilities.Select(p => p.ToString("G4", CultureInfo.InvariantCulture))) + ").");
            }
        }

        return errors;
    }
}
