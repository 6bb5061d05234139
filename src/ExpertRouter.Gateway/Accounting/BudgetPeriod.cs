using System.Globalization;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>Budget periods are UTC calendar days and months, the same on every replica.</summary>
public static class BudgetPeriod
{
    public static string DayKey(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string MonthKey(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static DateOnly Day(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    public static DateOnly MonthStart(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);

    /// <summary>Rate limits count in fixed UTC minutes; this is the minute's index since the epoch.</summary>
    public static long RateWindow(DateTimeOffset now) => now.ToUnixTimeMilliseconds() / 60_000;

    public static TimeSpan UntilNextWindow(DateTimeOffset now) =>
        TimeSpan.FromMilliseconds(60_000 - (now.ToUnixTimeMilliseconds() % 60_000));
}
