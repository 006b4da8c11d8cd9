using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

/// <summary>The counters a plan publishes for progress and the job: exact at the end, and never ahead of the steps while it streams.</summary>
public sealed class BackupPlannerCountsTests
{
    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static string Key(int i) => $"k/{i:D6}";

    [Fact]
    public async Task Counters_equal_the_plans_steps_and_are_published_while_it_streams()
    {
        // 10,000 scanned keys (several publishing intervals and a remainder): every 10th new, every 7th
        // changed, every 13th archived, every 50th excluded; plus previous entries that are gone.
        const int Count = 10_000;
        var previous = Enumerable.Range(0, Count + 300).Where(i => i % 10 != 0 || i >= Count)
            .Select(i => new ObjectEntry(Key(i), i, $"etag{i}", Modified, "Standard", [], []));
        var scan = Enumerable.Range(0, Count)
            .Select(i => new SourceObject(Key(i), i, i % 7 == 0 ? $"new{i}" : $"etag{i}", Modified, i % 13 == 0 ? "Archive" : "Standard"));
        Func<string, bool> accepts = key => int.Parse(key[2..], System.Globalization.CultureInfo.InvariantCulture) % 50 != 1;
        var counters = new PlanCounters();
        var steps = new List<PlanStep>();
        var seenAhead = false;

        await foreach (var step in BackupPlanner.PlanAsync(scan.ToAsyncEnumerable(), "test", previous.ToAsyncEnumerable(), accepts, counters, CancellationToken.None))
        {
            steps.Add(step);
            seenAhead |= Interlocked.Read(ref counters.Scanned) > steps.Count;
        }

        Assert.True(counters.Complete);
        Assert.False(seenAhead);
        Assert.Equal(steps.Count, counters.Scanned);
        Assert.Equal(steps.Sum(s => s.Item!.Size), counters.ScannedBytes);
        Assert.Equal(steps.Count(s => s.Action == PlanAction.Unchanged), counters.Unchanged);
        Assert.Equal(steps.Count(s => s.Action == PlanAction.Skip), counters.Skipped);
        Assert.Equal(steps.Count(s => s.Action == PlanAction.Read), counters.ToRead);
        Assert.Equal(steps.Where(s => s.Action == PlanAction.Read).Sum(s => s.Item!.Size), counters.ToReadBytes);
        Assert.Equal(Enumerable.Range(Count, 300).Count(i => i % 50 != 1), counters.Deleted);
        Assert.True(counters.Unchanged > 0 && counters.Skipped > 0 && counters.ToRead > 0);
    }
}
