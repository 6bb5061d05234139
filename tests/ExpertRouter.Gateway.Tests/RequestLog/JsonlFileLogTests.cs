using System.Text;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>The log's files: a new one past the size or age limit, and old ones deleted past the count or age limit.</summary>
public sealed class JsonlFileLogTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Append_PastTheSizeLimit_StartsANewFile()
    {
        using var log = Log(new RequestLogOptions { MaxFileBytes = 100 });

        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync([Line(i, 40)], CancellationToken.None);
        }

        // Two 41-byte lines fit in 100 bytes; the third starts a new file.
        Assert.Equal([2, 2, 1], Files().Select(f => File.ReadAllLines(f).Length));
        Assert.All(Files(), f => Assert.True(new FileInfo(f).Length <= 100));
    }

    [Fact]
    public async Task Append_PastTheAgeLimit_StartsANewFile()
    {
        using var log = Log(new RequestLogOptions { MaxFileAgeMinutes = 60 });

        await log.AppendAsync([Line(0, 10)], CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(59));
        await log.AppendAsync([Line(1, 10)], CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));
        await log.AppendAsync([Line(2, 10)], CancellationToken.None);

        Assert.Equal([2, 1], Files().Select(f => File.ReadAllLines(f).Length));
    }

    [Fact]
    public async Task Rotation_KeepsTheNewestFiles_UpToTheCount()
    {
        using var log = Log(new RequestLogOptions { MaxFileAgeMinutes = 1, RetainFiles = 3 });

        for (var i = 0; i < 6; i++)
        {
            await log.AppendAsync([Line(i, 10)], CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.Equal(["0003", "0004", "0005"], Files().Select(f => File.ReadAllText(f)[..4]));
    }

    [Fact]
    public async Task Rotation_DeletesFilesOlderThanTheRetention()
    {
        using var log = Log(new RequestLogOptions { RetainDays = 2 });

        await log.AppendAsync([Line(0, 10)], CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1));
        await log.AppendAsync([Line(1, 10)], CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1.5));
        await log.AppendAsync([Line(2, 10)], CancellationToken.None);

        // The first file (2.5 days old) is gone; the second (1.5 days) stays.
        Assert.Equal(["0001", "0002"], Files().Select(f => File.ReadAllText(f)[..4]));
    }

    [Fact]
    public async Task Append_AfterTheFileWasDeleted_StartsANewOne()
    {
        using var log = Log(new RequestLogOptions());
        await log.AppendAsync([Line(0, 10)], CancellationToken.None);
        File.Delete(log.CurrentPath!);

        await log.AppendAsync([Line(1, 10)], CancellationToken.None);

        Assert.Equal("0001", File.ReadAllText(Assert.Single(Files()))[..4]);
    }

    private JsonlFileLog Log(RequestLogOptions options) => new(_folder.Path, "requests", options with { Directory = _folder.Path }, _time);

    private string[] Files() => [.. Directory.GetFiles(_folder.Path, "requests-*.jsonl").Order(StringComparer.Ordinal)];

    /// <summary>A line of <paramref name="length"/> bytes starting with its number.</summary>
    private static byte[] Line(int number, int length) => Encoding.UTF8.GetBytes(number.ToString("D4").PadRight(length, 'x'));
}
