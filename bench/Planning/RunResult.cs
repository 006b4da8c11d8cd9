using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OssBackup.PlanningBench;

/// <summary>What one measured child process reports, as one JSON line on its standard output.</summary>
internal sealed record RunResult
{
    public const string Marker = "RESULT ";

    public required string Mode { get; init; }
    public required long Rows { get; init; }

    /// <summary>Wall time of the measured work, from opening the inputs to the last count.</summary>
    public required double Seconds { get; init; }

    /// <summary>User + system CPU time of the whole process at the end (includes start-up).</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>VmHWM of /proc/self/status: the process's peak resident set, in bytes.</summary>
    public required long PeakRssBytes { get; init; }

    public PlanCounts? Counts { get; init; }

    /// <summary>Named stage times in seconds (ours) or engine facts (DuckDB), for the report.</summary>
    public Dictionary<string, double> Stages { get; init; } = [];

    public Dictionary<string, string> Notes { get; init; } = [];

    public string ToLine() => Marker + JsonSerializer.Serialize(this);

    public static RunResult? TryParse(string line) =>
        line.StartsWith(Marker, StringComparison.Ordinal) ? JsonSerializer.Deserialize<RunResult>(line[Marker.Length..]) : null;

    public static double CpuNow()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>VmHWM (peak resident set) of this process in bytes; -1 where /proc is missing.</summary>
    public static long PeakRss()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var parts = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return -1;
    }
}
