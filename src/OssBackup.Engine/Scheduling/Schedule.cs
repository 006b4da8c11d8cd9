namespace OssBackup.Engine.Scheduling;

/// <summary>
/// When a plan is due. Runs are due at start + k x interval; a scheduler that was not called for a while
/// runs a plan once for the latest slot it missed (missed runs are coalesced). A run of any kind that
/// started at or after a slot (including a manual one) covers that slot.
/// </summary>
public static class Schedule
{
    public static DateTimeOffset? LatestSlot(DateTimeOffset start, TimeSpan interval, DateTimeOffset now)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A schedule's interval must be positive.");
        }
        if (now < start)
        {
            return null;
        }
        var slots = (now - start).Ticks / interval.Ticks;
        return start + TimeSpan.FromTicks(slots * interval.Ticks);
    }

    public static bool IsDue(DateTimeOffset start, TimeSpan interval, DateTimeOffset? lastRunStart, DateTimeOffset now) =>
        LatestSlot(start, interval, now) is { } slot && (lastRunStart is null || lastRunStart < slot);

    /// <summary>The slot the next run is for: a missed slot (in the past) when due now, else the first slot not yet covered.</summary>
    public static DateTimeOffset NextRun(DateTimeOffset start, TimeSpan interval, DateTimeOffset? lastRunStart, DateTimeOffset now)
    {
        if (LatestSlot(start, interval, now) is { } due && (lastRunStart is null || lastRunStart < due))
        {
            return due;
        }
        var from = lastRunStart is { } covered && covered > now ? covered : now;
        if (from < start)
        {
            return start;
        }
        var slots = (from - start).Ticks / interval.Ticks + 1;
        return start + TimeSpan.FromTicks(slots * interval.Ticks);
    }
}
