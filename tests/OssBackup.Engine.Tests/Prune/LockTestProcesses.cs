using System.Diagnostics;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Prune;

/// <summary>Other processes for lock tests: one that stays alive, and the id of one that has ended.</summary>
internal static class LockTestProcesses
{
    /// <summary>Starts a child process that sleeps for two minutes; the caller kills it.</summary>
    public static Process StartSleeper()
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("ping", "-n 120 127.0.0.1") { RedirectStandardOutput = true }
            : new ProcessStartInfo("sleep", "120");
        start.UseShellExecute = false;
        start.CreateNoWindow = true;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start a child process.");
    }

    public static void Stop(Process process)
    {
        try
        {
            process.Kill();
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    /// <summary>The id of a child process that has exited.</summary>
    public static int EndedProcessId()
    {
        var start = OperatingSystem.IsWindows() ? new ProcessStartInfo("cmd", "/c exit 0") : new ProcessStartInfo("true");
        start.UseShellExecute = false;
        start.CreateNoWindow = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a child process.");
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>Writes a lock file as another process would.</summary>
    public static async Task<VaultLockInfo> WriteLockAsync(IBlobStore store, VaultLockKind kind, string host, int processId, DateTimeOffset created, DateTimeOffset refreshed)
    {
        var info = new VaultLockInfo
        {
            Id = Guid.NewGuid().ToString("N"),
            Kind = kind,
            Host = host,
            ProcessId = processId,
            Created = created,
            Refreshed = refreshed,
        };
        await store.PutAsync(VaultLock.Folder + info.Id, new MemoryStream(info.ToJson()), CancellationToken.None);
        return info;
    }
}
