using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace OssBackup.PlanningBench;

/// <summary>
/// With OSSBACKUP_BENCH_MEMTRACE=1, a mode samples its resident set every 100 ms on a thread of its own and
/// writes a line to stderr every few seconds and at each stage mark: the highest RSS since the last line, the
/// GC counts, what the GC has committed and how its heap splits (as of the last collection), and how many sort
/// run files exist. VmHWM alone says how high memory went, not when; this says in which stage.
/// </summary>
internal sealed class MemoryTrace : IDisposable
{
    private const string StatusPath = "/proc/self/status";
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _scratchFolder;
    private readonly Thread _sampler;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _stop = new();
    private long _intervalPeak;
    private string _stage = "start";
    private long _stagePeak;

    private readonly LargeAllocationListener _largeAllocations = new();

    private MemoryTrace(string scratchFolder)
    {
        _scratchFolder = scratchFolder;
        _sampler = new Thread(Sample) { IsBackground = true, Name = "memory trace" };
        _sampler.Start();
    }

    /// <summary>A running trace when OSSBACKUP_BENCH_MEMTRACE=1, else null (and no thread).</summary>
    public static MemoryTrace? StartIfAsked(string scratchFolder) =>
        Environment.GetEnvironmentVariable("OSSBACKUP_BENCH_MEMTRACE") == "1" ? new MemoryTrace(scratchFolder) : null;

    /// <summary>Ends the current stage (reporting its peak) and starts <paramref name="stage"/>.</summary>
    public void Mark(string stage)
    {
        lock (_lock)
        {
            Report("end of " + _stage);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[mem] stage '{_stage}' peak RSS {Mib(_stagePeak)} MiB"));
            foreach (var line in _largeAllocations.TakeSummary())
            {
                Console.Error.WriteLine("[mem]   large objects allocated: " + line);
            }
            _stage = stage;
            _stagePeak = 0;
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _sampler.Join();
        Mark("done");
        _largeAllocations.Dispose();
    }

    private void Sample()
    {
        var lastReport = TimeSpan.Zero;
        do
        {
            var rss = ReadStatusKib("VmRSS:") * 1024;
            lock (_lock)
            {
                _intervalPeak = Math.Max(_intervalPeak, rss);
                _stagePeak = Math.Max(_stagePeak, rss);
                if (_clock.Elapsed - lastReport >= ReportEvery)
                {
                    lastReport = _clock.Elapsed;
                    Report(_stage);
                }
            }
        }
        while (!_stop.Wait(SampleEvery));
    }

    private void Report(string what)
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var after = new long[5];
        for (var i = 0; i < after.Length && i < gc.GenerationInfo.Length; i++)
        {
            after[i] = Mib(gc.GenerationInfo[i].SizeAfterBytes);
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[mem] {_clock.Elapsed.TotalSeconds,7:F1} s {what,-40} RSS peak {Mib(_intervalPeak),4} now {Mib(ReadStatusKib("VmRSS:") * 1024),4} HWM {Mib(ReadStatusKib("VmHWM:") * 1024),4} | " +
            $"GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} committed {Mib(gc.TotalCommittedBytes),4} heap {Mib(gc.HeapSizeBytes),4} " +
            $"frag {Mib(gc.FragmentedBytes),3} gen0/1/2/loh/poh after {after[0]}/{after[1]}/{after[2]}/{after[3]}/{after[4]} managed now {Mib(GC.GetTotalMemory(false)),4} | runs {RunFiles()}"));
        _intervalPeak = 0;
    }

    private int RunFiles()
    {
        try
        {
            return Directory.Exists(_scratchFolder) ? Directory.EnumerateFiles(_scratchFolder, "run-*", SearchOption.AllDirectories).Count() : 0;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static long ReadStatusKib(string field)
    {
        foreach (var line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    private static long Mib(long bytes) => bytes >> 20;

    /// <summary>
    /// Counts large object heap allocations by type from the runtime's allocation ticks (one per ~100 KB
    /// allocated, so each large object is seen), to tell which arrays churn the large object heap.
    /// </summary>
    private sealed class LargeAllocationListener : EventListener
    {
        private const int AllocationTickEvent = 10;
        private const long GcKeyword = 0x1;
        private readonly ConcurrentDictionary<string, (long Count, long Bytes)> _byType = new();

        public IEnumerable<string> TakeSummary()
        {
            var taken = _byType.ToArray();
            _byType.Clear();
            return taken.OrderByDescending(t => t.Value.Bytes).Take(8)
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key}: {t.Value.Count} objects, {t.Value.Bytes >> 20} MiB"));
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventId != AllocationTickEvent || eventData.Payload is null || eventData.PayloadNames is null)
            {
                return;
            }
            var kind = Convert.ToInt32(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationKind")], CultureInfo.InvariantCulture);
            if (kind != 1)
            {
                return;
            }
            var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var sizeIndex = eventData.PayloadNames.IndexOf("ObjectSize");
            var size = sizeIndex >= 0 ? Convert.ToInt64(eventData.Payload[sizeIndex], CultureInfo.InvariantCulture) : 0;
            _byType.AddOrUpdate(type + (size > 0 ? $" ({size >> 10} KiB)" : ""), (1, size), (_, old) => (old.Count + 1, old.Bytes + size));
        }
    }
}
