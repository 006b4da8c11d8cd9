using System.Buffers;
using System.Collections.Concurrent;

namespace OssBackup.Engine.Vault;

/// <summary>
/// One pack being filled by many workers. Each worker compresses on its own thread, takes the lock only
/// to be given its blob's offset, and writes a large blob's bytes after releasing it, so 16 workers
/// reading large objects do not queue behind one 8 MiB write. Full packs are sealed and uploaded in the
/// background while the next one fills, so small objects from all workers share packs (few vault files).
/// Sealed packs wait here, blob lists and all, until an index file names them: with an <see cref="IndexFlusher"/>,
/// every time they reach its threshold; otherwise (and for the rest) at <see cref="CompleteAsync"/>.
/// </summary>
public sealed class SharedPackSink : IBlobSink, IAsyncDisposable
{
    /// <summary>
    /// Packs sealing (and flushing) at once before a worker that has just added a blob waits for the oldest: without a
    /// limit, workers that fill packs faster than they are uploaded and indexed would grow the scratch disk and memory.
    /// </summary>
    public const int MaxPacksSealing = 4;

    private readonly VaultRepository _vault;
    private readonly string _scratchFolder;
    private readonly object _gate = new();
    private readonly ConcurrentBag<BlobCodec> _codecs = [];
    private readonly List<Task> _sealing = [];
    private readonly IndexFlusher? _flusher;
    private List<SealedPack> _unindexed = [];
    private long _unindexedBlobs;
    private bool _flushRunning;
    private long _sealedBytes;
    private PackWriter _current;

    public SharedPackSink(VaultRepository vault, string scratchFolder, IndexFlusher? flusher = null)
    {
        _vault = vault;
        _scratchFolder = scratchFolder;
        _flusher = flusher;
        _current = vault.NewPackWriter(scratchFolder);
    }

    /// <summary>Bytes of the packs sealed and uploaded so far.</summary>
    public long SealedBytes => Interlocked.Read(ref _sealedBytes);

    public async Task<BlobLocation> AddAsync(BlobType type, BlobId id, ReadOnlyMemory<byte> plaintext, bool tryCompress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_codecs.TryTake(out var codec))
        {
            codec = new BlobCodec(_vault.Config.CompressionLevel);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BlobCodec.MaxEncodedLength(plaintext.Length));
        try
        {
            var compressed = codec.TryCompress(plaintext.Span, buffer, tryCompress);
            // Stored as it is, a blob is written straight from the caller's buffer, not copied first.
            var (stored, compression) = compressed >= 0
                ? (buffer.AsMemory(0, compressed), BlobCompression.Zstd)
                : (plaintext, BlobCompression.None);
            BlobLocation location;
            Task written;
            lock (_gate)
            {
                (location, written) = _current.Append(type, id, stored, plaintext.Length, compression);
                if (_current.CurrentLength >= _vault.Config.PackSize)
                {
                    var full = _current;
                    _current = _vault.NewPackWriter(_scratchFolder);
                    _sealing.Add(SealAndDisposeAsync(full, cancellationToken));
                }
            }
            // Not cancellable: a blob whose offset is taken must be written whole, or the pack has a hole.
            await written;
            await WaitWhileTooManySealingAsync();
            return location;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _codecs.Add(codec);
        }
    }

    private async Task WaitWhileTooManySealingAsync()
    {
        Task? oldest = null;
        lock (_gate)
        {
            // Finished seals are forgotten, so this list holds the packs in flight, not every pack of the backup.
            _sealing.RemoveAll(t => t.IsCompletedSuccessfully);
            if (_sealing.Count > MaxPacksSealing)
            {
                oldest = _sealing[0];
            }
        }
        if (oldest is not null)
        {
            // Its failure is reported by CompleteAsync and fails the backup; it is not this blob's failure.
            await Task.WhenAny(oldest);
        }
    }

    /// <summary>
    /// Seals the pack being filled and waits for every upload and flush; returns the packs no index file names yet
    /// (all packs this sink wrote, without a flusher).
    /// </summary>
    public async Task<IReadOnlyList<SealedPack>> CompleteAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(SealCurrent(cancellationToken));
        return TakeUnindexed();
    }

    /// <summary>
    /// After a cancellation: seals the pack being filled and returns every pack whose upload finished and that no index
    /// file names yet, ignoring those that did not finish.
    /// </summary>
    public async Task<IReadOnlyList<SealedPack>> CompleteWhatSucceededAsync()
    {
        try
        {
            await Task.WhenAll(SealCurrent(CancellationToken.None));
        }
        catch (Exception)
        {
            // Uploads cut short by the cancellation are simply not kept.
        }
        return TakeUnindexed();
    }

    private List<SealedPack> TakeUnindexed()
    {
        lock (_gate)
        {
            var packs = _unindexed;
            _unindexed = [];
            _unindexedBlobs = 0;
            return packs;
        }
    }

    private Task[] SealCurrent(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _sealing.Add(SealAndDisposeAsync(_current, cancellationToken));
            _current = _vault.NewPackWriter(_scratchFolder);
            var sealing = _sealing.ToArray();
            _sealing.Clear();
            return sealing;
        }
    }

    private async Task SealAndDisposeAsync(PackWriter writer, CancellationToken cancellationToken)
    {
        SealedPack? pack;
        await using (writer)
        {
            pack = await writer.SealAsync(cancellationToken);
        }
        if (pack is null)
        {
            return;
        }
        Interlocked.Add(ref _sealedBytes, pack.Size);
        lock (_gate)
        {
            _unindexed.Add(pack);
            _unindexedBlobs += pack.Blobs.Count;
        }
        if (_flusher is not null)
        {
            await FlushWhileFullAsync(_flusher, cancellationToken);
        }
    }

    /// <summary>
    /// One flush at a time: packs sealed while it runs wait for the next, which the running flush starts itself. So the
    /// blobs waiting are at most one batch being flushed plus less than a threshold (plus the packs sealed meanwhile).
    /// </summary>
    private async Task FlushWhileFullAsync(IndexFlusher flusher, CancellationToken cancellationToken)
    {
        while (true)
        {
            List<SealedPack> batch;
            lock (_gate)
            {
                if (_flushRunning || _unindexedBlobs < flusher.FlushBlobs)
                {
                    return;
                }
                batch = _unindexed;
                _unindexed = [];
                _unindexedBlobs = 0;
                _flushRunning = true;
            }
            try
            {
                await FlushOrKeepAsync(flusher, batch, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _flushRunning = false;
                }
            }
        }
    }

    private async Task FlushOrKeepAsync(IndexFlusher flusher, List<SealedPack> batch, CancellationToken cancellationToken)
    {
        try
        {
            await flusher.WriteIndexAsync(batch, cancellationToken);
        }
        catch (Exception)
        {
            // Not indexed: back with the others, so that a cancelled backup still indexes them for reuse.
            lock (_gate)
            {
                _unindexed.AddRange(batch);
                _unindexedBlobs += batch.Sum(p => (long)p.Blobs.Count);
            }
            throw;
        }
        flusher.AddLevel(batch);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] sealing;
        lock (_gate)
        {
            sealing = _sealing.ToArray();
            _sealing.Clear();
        }
        try
        {
            await Task.WhenAll(sealing);
        }
        catch (Exception)
        {
            // Already reported by CompleteAsync or superseded by the failure that got us here.
        }
        await _current.DisposeAsync();
        foreach (var codec in _codecs)
        {
            codec.Dispose();
        }
    }
}
