using System.Globalization;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// One series of JSONL files (<c>&lt;prefix&gt;-&lt;UTC time&gt;-&lt;instance&gt;-&lt;n&gt;.jsonl</c>): a new file past the size or
/// age limit, and after each rotation the series is trimmed to the newest <see cref="RequestLogOptions.RetainFiles"/>
/// files none older than <see cref="RequestLogOptions.RetainDays"/>. The time in the name comes from the injected
/// clock, so retention by age does not depend on file-system times. Not thread-safe: the log's worker is its only writer.
/// </summary>
internal sealed class JsonlFileLog(string directory, string prefix, RequestLogOptions options, TimeProvider time) : IDisposable
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    // Replicas sharing a folder never write the same file name.
    private readonly string _instance = Guid.NewGuid().ToString("N")[..8];
    private FileStream? _file;
    private DateTimeOffset _openedAt;
    private long _size;
    private int _sequence;

    public string? CurrentPath => _file?.Name;

    public async ValueTask AppendAsync(IEnumerable<byte[]> lines, CancellationToken cancellationToken)
    {
        // Deleted under us (by hand, or by another replica's retention): writing on would go nowhere.
        var gone = _file is not null && !File.Exists(_file.Name);
        foreach (var line in lines)
        {
            var now = time.GetUtcNow();
            if (_file is null || gone || (_size > 0 && _size + line.Length + 1 > options.MaxFileBytes)
                || now - _openedAt >= TimeSpan.FromMinutes(options.MaxFileAgeMinutes))
            {
                await RotateAsync(now);
                gone = false;
            }

            await _file!.WriteAsync(line, cancellationToken);
            _file.WriteByte((byte)'\n');
            _size += line.Length + 1;
        }

        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private async ValueTask RotateAsync(DateTimeOffset now)
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }

        Directory.CreateDirectory(directory);
        while (true)
        {
            var path = Path.Combine(directory, $"{prefix}-{now.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{_instance}-{++_sequence:D4}.jsonl");
            try
            {
                // Readers (tests, a shipper) may open the file while it grows.
                _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 64 * 1024);
                break;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Taken by an earlier run of this instance id: the next sequence number.
            }
        }

        (_openedAt, _size) = (now, 0);
        Retain(now);
    }

    /// <summary>Deletes this series' files past the age or count limit; the file being written is always kept.</summary>
    private void Retain(DateTimeOffset now)
    {
        var oldest = now - TimeSpan.FromDays(options.RetainDays);
        var files = Directory.GetFiles(directory, prefix + "-*.jsonl")
            .Select(path => (Path: path, Started: StartedAt(path)))
            .Where(f => f.Started is not null && f.Path != _file?.Name)
            .OrderByDescending(f => f.Started)
            .ThenByDescending(f => f.Path, StringComparer.Ordinal)
            .ToList();
        for (var i = 0; i < files.Count; i++)
        {
            // RetainFiles counts the current file too.
            if (i + 1 >= options.RetainFiles || files[i].Started < oldest)
            {
                TryDelete(files[i].Path);
            }
        }
    }

    private DateTimeOffset? StartedAt(string path)
    {
        var name = Path.GetFileName(path);
        var stamp = name.Length > prefix.Length + 1 ? name[(prefix.Length + 1)..].Split('-')[0] : "";
        return DateTimeOffset.TryParseExact(stamp, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started)
            ? started
            : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another replica removed it, or a reader holds it on a file system that forbids deleting: next rotation.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: retention is best effort and never stops the log.
        }
    }
}
