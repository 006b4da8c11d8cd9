using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault;

/// <summary>
/// A lock on a vault: one JSON file <c>locks/&lt;32 hex&gt;</c> (see <see cref="VaultLockInfo"/>), written through the blob
/// store. Backups take shared locks, which coexist; prune takes an exclusive one, which excludes every other lock.
/// <para>
/// Protocol: write our own lock file first, then list <c>locks/</c>. If another non-stale lock is in the way, remove
/// ours and fail with <see cref="VaultLockedException"/>. Two processes racing for conflicting locks may both fail,
/// but never both succeed (on a store that lists what was written before: a local folder, S3). Stale locks found on
/// the way are deleted. A lock is stale when it was last refreshed more than <see cref="VaultLockOptions.StaleAfter"/>
/// ago, or when it names this host and its process is gone (or the process id now belongs to a process started after
/// the lock was created). A held lock is refreshed in the background; disposing the lock stops that and deletes the file.
/// </para>
/// </summary>
public sealed class VaultLock : IAsyncDisposable
{
    public const string Folder = "locks/";

    /// <summary>Tolerance when comparing a process's start time with a lock's creation time (clock granularity).</summary>
    private static readonly TimeSpan StartTimeSlack = TimeSpan.FromSeconds(5);

    private readonly IBlobStore _store;
    private readonly VaultLockOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _refreshing = Task.CompletedTask;
    private Exception? _refreshFailure;
    private bool _disposed;

    private VaultLock(IBlobStore store, VaultLockInfo info, VaultLockOptions options, IReadOnlyList<VaultLockInfo> brokenLocks)
    {
        _store = store;
        Info = info;
        _options = options;
        BrokenLocks = brokenLocks;
    }

    public VaultLockInfo Info { get; }

    /// <summary>The lock file's name in the vault.</summary>
    public string Name => Folder + Info.Id;

    /// <summary>Stale locks deleted while this one was acquired.</summary>
    public IReadOnlyList<VaultLockInfo> BrokenLocks { get; }

    public static Task<VaultLock> AcquireExclusiveAsync(IBlobStore store, VaultLockOptions? options, CancellationToken cancellationToken) =>
        AcquireAsync(store, VaultLockKind.Exclusive, options ?? new VaultLockOptions(), cancellationToken);

    public static Task<VaultLock> AcquireSharedAsync(IBlobStore store, VaultLockOptions? options, CancellationToken cancellationToken) =>
        AcquireAsync(store, VaultLockKind.Shared, options ?? new VaultLockOptions(), cancellationToken);

    /// <summary>Every lock file in the vault; <c>Info</c> is null for a file that cannot be parsed.</summary>
    public static async Task<IReadOnlyList<(string Name, VaultLockInfo? Info)>> ListAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var file in store.ListAsync(Folder, cancellationToken))
        {
            names.Add(file.Name);
        }
        var result = new List<(string, VaultLockInfo?)>(names.Count);
        foreach (var name in names)
        {
            var read = await TryReadAsync(store, name, cancellationToken);
            if (read.Exists)
            {
                result.Add((name, read.Info));
            }
        }
        return result;
    }

    /// <summary>True when <paramref name="info"/> may be broken: not refreshed for <c>StaleAfter</c>, or its process on this host is gone.</summary>
    public static bool IsStale(VaultLockInfo info, VaultLockOptions options)
    {
        if (options.Time.GetUtcNow() - info.Refreshed > options.StaleAfter)
        {
            return true;
        }
        return string.Equals(info.Host, options.HostName, StringComparison.OrdinalIgnoreCase) && !IsProcessAlive(info.ProcessId, info.Created);
    }

    /// <summary>Writes a new refresh time; fails with <see cref="VaultLockLostException"/> when the lock file is gone.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await ThrowIfNotOursAsync(cancellationToken);
            Info.Refreshed = _options.Time.GetUtcNow();
            await _store.PutAsync(Name, new MemoryStream(Info.ToJson()), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Proves the lock is still held before a destructive step: the background refresh has not failed, the lock file
    /// is still ours, and it is not stale. Throws <see cref="VaultLockLostException"/> otherwise.
    /// </summary>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken)
    {
        if (_refreshFailure is { } failure)
        {
            throw new VaultLockLostException($"The {Info.Kind.ToString().ToLowerInvariant()} lock {Name} on the vault at '{_store.Location}' could not be refreshed: {failure.Message}", failure);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await ThrowIfNotOursAsync(cancellationToken);
            if (_options.Time.GetUtcNow() - Info.Refreshed > _options.StaleAfter)
            {
                throw new VaultLockLostException($"The lock {Name} on the vault at '{_store.Location}' was last refreshed at {Info.Refreshed:u} and is stale; stopping before anything else is changed.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        await _stop.CancelAsync();
        await _refreshing;
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            await _store.DeleteAsync(Name, CancellationToken.None);
        }
        catch (Exception)
        {
            // Left behind, the lock goes stale: at once for this host (the process is gone), else after StaleAfter.
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
        _stop.Dispose();
    }

    private static async Task<VaultLock> AcquireAsync(IBlobStore store, VaultLockKind kind, VaultLockOptions options, CancellationToken cancellationToken)
    {
        var now = options.Time.GetUtcNow();
        var info = new VaultLockInfo
        {
            Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            Kind = kind,
            Host = options.HostName,
            ProcessId = options.ProcessId,
            Created = now,
            Refreshed = now,
        };
        var name = Folder + info.Id;
        await store.PutAsync(name, new MemoryStream(info.ToJson()), cancellationToken);
        var broken = new List<VaultLockInfo>();
        try
        {
            foreach (var (otherName, other) in await ListAsync(store, cancellationToken))
            {
                if (otherName == name)
                {
                    continue;
                }
                if (other is null)
                {
                    // Unreadable: we cannot tell who holds it or whether it is stale, so it blocks everything.
                    throw new VaultLockedException(store.Location, otherName, null, kind, options.StaleAfter);
                }
                if (IsStale(other, options))
                {
                    await store.DeleteAsync(otherName, cancellationToken);
                    broken.Add(other);
                    continue;
                }
                if (kind == VaultLockKind.Exclusive || other.Kind == VaultLockKind.Exclusive)
                {
                    throw new VaultLockedException(store.Location, otherName, other, kind, options.StaleAfter);
                }
            }
        }
        catch
        {
            await store.DeleteAsync(name, CancellationToken.None);
            throw;
        }
        var result = new VaultLock(store, info, options, broken);
        result._refreshing = result.RefreshLoopAsync(result._stop.Token);
        return result;
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.EffectiveRefreshInterval, _options.Time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await RefreshAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Reported by EnsureHeldAsync before the holder's next destructive step.
            _refreshFailure = e;
        }
    }

    private async Task ThrowIfNotOursAsync(CancellationToken cancellationToken)
    {
        var current = await TryReadAsync(_store, Name, cancellationToken);
        if (!current.Exists || current.Info?.Id != Info.Id)
        {
            throw new VaultLockLostException($"The lock {Name} on the vault at '{_store.Location}' was removed by another process, which judged it stale; stopping before anything else is changed.");
        }
    }

    private static async Task<(bool Exists, VaultLockInfo? Info)> TryReadAsync(IBlobStore store, string name, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            await using var stream = await store.GetAsync(name, 0, null, cancellationToken);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, cancellationToken);
            bytes = memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            // Released between the listing and the read.
            return (false, null);
        }
        try
        {
            return (true, VaultLockInfo.FromJson(bytes, name));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            return (true, null);
        }
    }

    private static bool IsProcessAlive(int processId, DateTimeOffset lockCreated)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            if (process.HasExited)
            {
                return false;
            }
            try
            {
                // A process started after the lock was written reuses the id of the one that wrote it.
                return process.StartTime.ToUniversalTime() <= lockCreated.UtcDateTime + StartTimeSlack;
            }
            catch (Exception e) when (e is Win32Exception or NotSupportedException or InvalidOperationException)
            {
                return true;
            }
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
