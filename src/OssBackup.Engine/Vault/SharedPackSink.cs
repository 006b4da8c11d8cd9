using System.Buffers;
using System.Collections.Concurrent;

namespace OssBackup.Engine.Vault;

/// <summary>
/// One pack being filled by many workers. Each worker compresses on its own thread, takes the lock only
/// to be given its blob's offset, and writes a large blob's bytes after releasing it, so 16 workers
/// reading large objects do not queue behind one 8 MiB write. Full packs are sealed and uploaded in the
/// background while the next one fills, so small objects from all workers share packs (few vault files).
/// </summary>
public sealed class SharedPackSink : IBlobSink, IAsyncDisposable
{
    private readonly VaultRepository _vault;
    private readonly string _scratchFolder;
    private readonly object _gate = new();
    private readonly ConcurrentBag<BlobCodec> _codecs = [];
    private readonly List<Task<SealedPack?>> _sealing = [];
    private PackWriter _current;

    public SharedPackSink(VaultRepository vault, string scratchFolder)
    {
        _vault = vault;
        _scratchFolder = scratchFolder;
        _current = vault.NewPackWriter(scratchFolder);
    }

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
            return location;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _codecs.Add(codec);
        }
    }

    /// <summary>Seals the pack being filled and waits for every upload; returns all packs this sink wrote.</summary>
    public async Task<IReadOnlyList<SealedPack>> CompleteAsync(CancellationToken cancellationToken)
    {
        var sealing = SealCurrent(cancellationToken);
        var packs = await Task.WhenAll(sealing);
        return packs.OfType<SealedPack>().ToList();
    }

    /// <summary>After a cancellation: seals the pack being filled and returns every pack whose upload finished, ignoring those that did not.</summary>
    public async Task<IReadOnlyList<SealedPack>> CompleteWhatSucceededAsync()
    {
        var sealing = SealCurrent(CancellationToken.None);
        try
        {
            await Task.WhenAll(sealing);
        }
        catch (Exception)
        {
            // Uploads cut short by the cancellation are simply not kept.
        }
        return sealing.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).OfType<SealedPack>().ToList();
    }

    private Task<SealedPack?>[] SealCurrent(CancellationToken cancellationToken)
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

    private static async Task<SealedPack?> SealAndDisposeAsync(PackWriter writer, CancellationToken cancellationToken)
    {
        await using (writer)
        {
            return await writer.SealAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<SealedPack?>[] sealing;
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
