using System.Diagnostics;
using System.Globalization;

namespace OssBackup.Bench;

/// <summary>
/// One timed run: wall time and the CPU time spent meanwhile by this process (the client), the test
/// server's gateway and OSD, and everything else on the machine (other sessions, the monitor, the kernel).
/// </summary>
public sealed record Measurement(
    string Name, int Objects, long Bytes, double Seconds,
    double ClientCpuSeconds, double GatewayCpuSeconds, double OsdCpuSeconds, double OtherCpuSeconds, double StealSeconds)
{
    public double ObjectsPerSecond => Objects / Math.Max(Seconds, 1e-9);

    /// <summary>Decimal megabytes (10^6 bytes) per second.</summary>
    public double MBPerSecond => Bytes / 1e6 / Math.Max(Seconds, 1e-9);

    /// <summary>Cores kept busy on average: (client + gateway + OSD + other CPU seconds) / wall seconds.</summary>
    public double CoresBusy => (ClientCpuSeconds + GatewayCpuSeconds + OsdCpuSeconds + OtherCpuSeconds) / Math.Max(Seconds, 1e-9);
}

/// <summary>Starts a stopwatch and CPU counters; <see cref="Stop"/> turns them into a <see cref="Measurement"/>.</summary>
public sealed class Meter
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux
    private readonly Stopwatch _clock;
    private readonly ServerProcesses _server;
    private readonly TimeSpan _client;
    private readonly (long Gateway, long Osd) _serverTicks;
    private readonly (long Busy, long Steal) _system;

    private Meter(ServerProcesses server)
    {
        _server = server;
        _system = ReadSystemTicks();
        _serverTicks = server.ReadTicks();
        _client = ClientCpu();
        _clock = Stopwatch.StartNew();
    }

    public static Meter Start(ServerProcesses server) => new(server);

    public Measurement Stop(string name, int objects, long bytes)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var client = (ClientCpu() - _client).TotalSeconds;
        var (gateway, osd) = _server.ReadTicks();
        var (busy, steal) = ReadSystemTicks();
        var gatewayCpu = (gateway - _serverTicks.Gateway) / TicksPerSecond;
        var osdCpu = (osd - _serverTicks.Osd) / TicksPerSecond;
        var systemCpu = (busy - _system.Busy) / TicksPerSecond;
        var other = _system.Busy < 0 ? double.NaN : Math.Max(0, systemCpu - client - gatewayCpu - osdCpu);
        return new Measurement(name, objects, bytes, seconds, client, gatewayCpu, osdCpu, other, (steal - _system.Steal) / TicksPerSecond);
    }

    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>Busy (user+nice+system+irq+softirq) and steal ticks of all CPUs, from /proc/stat; -1 where there is none.</summary>
    private static (long Busy, long Steal) ReadSystemTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long F(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
            return (F(1) + F(2) + F(3) + F(6) + F(7), F(8));
        }
        catch (IOException)
        {
            return (-1, 0);
        }
        catch (UnauthorizedAccessException)
        {
            return (-1, 0);
        }
    }
}

/// <summary>
/// The test server's gateway and OSD processes, found from the endpoint's port: the radosgw whose
/// ceph.conf has "endpoint=127.0.0.1:PORT", and the ceph-osd started with the same ceph.conf.
/// Linux only; empty elsewhere or when the server is not Ceph (s3rver: its node process counts as the gateway).
/// </summary>
public sealed class ServerProcesses
{
    private ServerProcesses(int? gateway, IReadOnlyList<int> osds, string description)
    {
        Gateway = gateway;
        Osds = osds;
        Description = description;
    }

    public int? Gateway { get; }
    public IReadOnlyList<int> Osds { get; }
    public string Description { get; }

    public static ServerProcesses Find(string endpoint)
    {
        var port = new Uri(endpoint).Port.ToString(CultureInfo.InvariantCulture);
        var processes = new List<(int Pid, string[] Args)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }
                try
                {
                    var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                    if (args.Length > 0)
                    {
                        processes.Add((pid, args));
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return new ServerProcesses(null, [], "no /proc: server CPU not measured");
        }

        static string? ConfOf(string[] args)
        {
            var i = Array.IndexOf(args, "-c");
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        foreach (var (pid, args) in processes.Where(p => Path.GetFileName(p.Args[0]) == "radosgw"))
        {
            var conf = ConfOf(args);
            if (conf is null || !File.Exists(conf) || !File.ReadAllText(conf).Contains($"endpoint=127.0.0.1:{port}", StringComparison.Ordinal))
            {
                continue;
            }
            var osds = processes.Where(p => Path.GetFileName(p.Args[0]) == "ceph-osd" && ConfOf(p.Args) == conf).Select(p => p.Pid).ToList();
            return new ServerProcesses(pid, osds, $"radosgw pid {pid}, ceph-osd pid {string.Join(',', osds)} ({conf})");
        }
        foreach (var (pid, args) in processes.Where(p => Path.GetFileName(p.Args[0]) == "node" && p.Args.Any(a => a.Contains("s3rver", StringComparison.Ordinal))))
        {
            var i = Array.IndexOf(args, "--port");
            if (i >= 0 && i + 1 < args.Length && args[i + 1] == port)
            {
                return new ServerProcesses(pid, [], $"s3rver pid {pid}");
            }
        }
        return new ServerProcesses(null, [], $"no server process found for port {port}: server CPU not measured");
    }

    internal (long Gateway, long Osd) ReadTicks() =>
        (Gateway is { } g ? Ticks(g) : 0, Osds.Sum(Ticks));

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/PID/stat), counting its threads.</summary>
    private static long Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
