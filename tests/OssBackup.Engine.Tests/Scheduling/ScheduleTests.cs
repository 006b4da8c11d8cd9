using OssBackup.Engine.Scheduling;

namespace OssBackup.Engine.Tests.Scheduling;

/// <summary>The slot rules backups and drills share: slots at start + k x interval, missed ones coalesced.</summary>
public sealed class ScheduleTests
{
    private static readonly DateTimeOffset Start = new(2030, 3, 3, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Weekly = TimeSpan.FromDays(7);

    [Fact]
    public void There_is_no_slot_before_the_start()
    {
        Assert.Null(Schedule.LatestSlot(Start, Weekly, Start.AddTicks(-1)));
        Assert.False(Schedule.IsDue(Start, Weekly, null, Start.AddMinutes(-1)));
        Assert.Equal(Start, Schedule.NextRun(Start, Weekly, null, Start.AddDays(-3)));
    }

    [Fact]
    public void The_latest_slot_is_the_last_start_plus_a_whole_number_of_intervals()
    {
        Assert.Equal(Start, Schedule.LatestSlot(Start, Weekly, Start));
        Assert.Equal(Start.AddDays(14), Schedule.LatestSlot(Start, Weekly, Start.AddDays(20)));
    }

    [Fact]
    public void Three_missed_slots_make_one_due_run_for_the_latest_of_them()
    {
        var now = Start.AddDays(21).AddHours(1);
        var covered = Start.AddMinutes(1);

        Assert.True(Schedule.IsDue(Start, Weekly, covered, now));
        Assert.Equal(Start.AddDays(21), Schedule.NextRun(Start, Weekly, covered, now));
        Assert.False(Schedule.IsDue(Start, Weekly, Start.AddDays(21), now));
        Assert.Equal(Start.AddDays(28), Schedule.NextRun(Start, Weekly, Start.AddDays(21), now));
    }

    [Fact]
    public void A_run_at_or_after_a_slot_covers_it()
    {
        Assert.False(Schedule.IsDue(Start, Weekly, Start, Start.AddHours(1)));
        Assert.True(Schedule.IsDue(Start, Weekly, Start.AddTicks(-1), Start.AddHours(1)));
    }
}
