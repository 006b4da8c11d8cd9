using System.Diagnostics;
using System.Globalization;

namespace OssBackup.Bench;

/// <summary>CPU-seconds of the two clients a comparison runs: this process (the cmdlets) and the child processes it
/// has waited for (rclone), so each side's client cost can be reported next to its time.</summary>
public static class ClientCpu
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>User + system CPU of this process so far.</summary>
    public static double SelfSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>User + system CPU of this process's finished, waited-for children (cutime + cstime in /proc/self/stat); NaN without /proc.</summary>
    public static double ChildrenSeconds()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 3 (state) is index 0, so cutime (16) and cstime (17) are indices 13 and 14.
            return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
