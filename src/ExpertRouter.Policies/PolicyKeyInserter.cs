using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>
/// Adds one hash to a policy file's <c>apiKeySha256</c> list by editing the text, so the owner's comments and
/// layout survive (re-serialising the YAML would drop them).
/// </summary>
internal static class PolicyKeyInserter
{
    public static string Insert(string yaml, string keyHash, string createdDay)
    {
        var newline = yaml.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = yaml.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindIndex(l => l.StartsWith("apiKeySha256:", StringComparison.Ordinal));
        if (header < 0)
        {
            var body = yaml.TrimEnd();
            return body + newline + "apiKeySha256:" + newline + $"  - {keyHash}  # created {createdDay}" + newline;
        }

        var rest = lines[header]["apiKeySha256:".Length..].Split('#')[0].Trim();
        if (rest.StartsWith('[') && rest.EndsWith(']'))
        {
            // Flow style: rewrite as a block list holding the old items and the new one.
            var items = rest[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var block = new List<string> { "apiKeySha256:" };
            block.AddRange(items.Select(i => "  - " + i));
            block.Add($"  - {keyHash}  # created {createdDay}");
            lines.RemoveAt(header);
            lines.InsertRange(header, block);
            return string.Join(newline, lines);
        }

        var last = header;
        var indent = "  ";
        for (var i = header + 1; i < lines.Count; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("- ", StringComparison.Ordinal))
            {
                indent = lines[i][..(lines[i].Length - trimmed.Length)];
                last = i;
            }
            else if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                break;
            }
        }

        lines.Insert(last + 1, $"{indent}- {keyHash}  # created {createdDay}");
        return string.Join(newline, lines);
    }
}
