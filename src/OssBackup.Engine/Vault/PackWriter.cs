using System.Buffers;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Appends blobs to one pack in a local temporary file and uploads it whole when sealed, so a pack is
/// never visible half-written. Not thread-safe: SharedPackSink serialises appends for many workers.
/// </summary>
public sealed class PackWriter : IBlobSink, IAsyncDisposable
{
    private readonly IBlobStore _store;
    private readonly string _scratchFolder;
    private readonly BlobCodec _codec;
    private readonly List<(BlobType Type, BlobLocation Location)> _entries = [];
    private FileStream? _file;
    private string? _path;
    private PackId _pack;
    private long _length;

    public PackWriter(IBlobStore store, string scratchFolder, int compressionLevel)
    {
        _store = store;
        _scratchFolder = scratchFolder;
        _codec = new BlobCodec(compressionLevel);
    }

    public long CurrentLength => _length;

    /// <summary>Stores a blob in the current pack and returns where it will be once the pack is sealed.</summary>
    public async Task<BlobLocation> AddAsync(BlobType type, BlobId id, ReadOnlyMemory<byte> plaintext, bool tryCompress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlobCodec.MaxEncodedLength(plaintext.Length));
        try
        {
            var (length, compression) = _codec.Encode(plaintext.Span, buffer, tryCompress);
            return await AddEncodedAsync(type, id, buffer.AsMemory(0, length), plaintext.Length, compression, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends a blob its caller already encoded (so several threads can compress while one appends).</summary>
    public async Task<BlobLocation> AddEncodedAsync(BlobType type, BlobId id, ReadOnlyMemory<byte> encoded, int rawLength, BlobCompression compression, CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            // Staged where the store can move it into place (a local vault), else in scratch space and copied.
            var folder = _store.StagingFolder ?? _scratchFolder;
            Directory.CreateDirectory(folder);
            _pack = PackId.NewRandom();
            _path = Path.Combine(folder, $"{_pack}.pack.partial");
            _file = new FileStream(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            _length = 0;
        }
        try
        {
            await _file.WriteAsync(encoded, cancellationToken);
        }
        catch
        {
            // A partial write would shift every later blob's offset: cut the pack back to its last whole blob.
            _file.SetLength(_length);
            _file.Position = _length;
            throw;
        }
        var location = new BlobLocation(id, _pack, _length, encoded.Length, rawLength, compression);
        _entries.Add((type, location));
        _length += encoded.Length;
        return location;
    }

    /// <summary>Writes the trailer, uploads the pack and returns its blobs for the index; null when empty.</summary>
    public async Task<SealedPack?> SealAsync(CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return null;
        }
        var trailer = new byte[_entries.Count * PackFormat.EntrySize + PackFormat.FooterSize];
        for (var i = 0; i < _entries.Count; i++)
        {
            PackFormat.WriteEntry(trailer.AsSpan(i * PackFormat.EntrySize), _entries[i].Type, _entries[i].Location);
        }
        var footer = trailer.AsSpan(_entries.Count * PackFormat.EntrySize);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)_entries.Count);
        PackFormat.Magic.CopyTo(footer[4..]);
        await _file.WriteAsync(trailer, cancellationToken);
        await _file.FlushAsync(cancellationToken);
        await _file.DisposeAsync();
        _file = null;
        try
        {
            await _store.PutFileAsync(_pack.FileName, _path!, cancellationToken);
        }
        finally
        {
            DeleteStaged();
        }
        var sealedPack = new SealedPack(_pack, _length + trailer.Length, [.. _entries]);
        _entries.Clear();
        return sealedPack;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }
        DeleteStaged();
        _codec.Dispose();
    }

    private void DeleteStaged()
    {
        if (_path is not null)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
            }
            _path = null;
        }
    }
}

public sealed record SealedPack(PackId Id, long Size, IReadOnlyList<(BlobType Type, BlobLocation Location)> Blobs);
