using System.Buffers;
using System.Collections.Concurrent;

namespace OssBackup.Engine.Vault;

/// <summary>
/// One pack being filled by many workers: each compresses on its own thread, then appends under a short
/// lock. Full packs are sealed and uploaded in the background while the next one fills, so small objects
/// from all workers share packs (few vault files) without serialising compression.
/// </summary>
public sealed class SharedPackSink : IBlobSink, IAsyncDisposable
{
    private readonly VaultRepository _vault;
    private readonly string _scratchFolder;
    private readonly SemaphoreSlim _gate = new(1, 1);
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
        if (!_codecs.TryTake(out var codec))
        {
            codec = new BlobCodec(_vault.Config.CompressionLevel);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BlobCodec.MaxEncodedLength(plaintext.Length));
        try
        {
            var (length, compression) = codec.Encode(plaintext.Span, buffer, tryCompress);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var location = await _current.AddEncodedAsync(type, id, buffer.AsMemory(0, length), plaintext.Length, compression, cancellationToken);
                if (_current.CurrentLength >= _vault.Config.PackSize)
                {
                    var full = _current;
                    _current = _vault.NewPackWriter(_scratchFolder);
                    _sealing.Add(SealAndDisposeAsync(full, cancellationToken));
                }
                return location;
            }
            finally
            {
                _gate.Release();
            }
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
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _sealing.Add(SealAndDisposeAsync(_current, cancellationToken));
            _current = _vault.NewPackWriter(_scratchFolder);
            var packs = await Task.WhenAll(_sealing);
            _sealing.Clear();
            return packs.OfType<SealedPack>().ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After a cancellation: seals the pack being filled and returns every pack whose upload finished, ignoring those that did not.</summary>
    public async Task<IReadOnlyList<SealedPack>> CompleteWhatSucceededAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _sealing.Add(SealAndDisposeAsync(_current, CancellationToken.None));
            _current = _vault.NewPackWriter(_scratchFolder);
            try
            {
                await Task.WhenAll(_sealing);
            }
            catch (Exception)
            {
                // Uploads cut short by the cancellation are simply not kept.
            }
            var packs = _sealing.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).OfType<SealedPack>().ToList();
            _sealing.Clear();
            return packs;
        }
        finally
        {
            _gate.Release();
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
        try
        {
            await Task.WhenAll(_sealing);
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
        _gate.Dispose();
    }
}
