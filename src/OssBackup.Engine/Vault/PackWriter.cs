using System.Buffers;
using Microsoft.Win32.SafeHandles;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Builds one pack in a local temporary file and uploads it whole when sealed, so a pack is never visible
/// half-written. <see cref="Append"/> only decides where a blob goes (its offset) and starts writing it,
/// so SharedPackSink can hold its lock for that moment while the bytes of large blobs are written by
/// their callers in parallel; small blobs are gathered and written together. Not thread-safe: one caller
/// at a time appends, and sealing waits for every write begun.
/// </summary>
public sealed class PackWriter : IBlobSink, IAsyncDisposable
{
    /// <summary>Blobs up to this size are copied into a shared buffer and written with their neighbours.</summary>
    internal const int GatherLimit = 256 << 10;

    private const int GatherBufferSize = 1 << 20;

    private readonly IBlobStore _store;
    private readonly string _scratchFolder;
    private readonly BlobCodec _codec;
    private readonly List<(BlobType Type, BlobLocation Location)> _entries = [];
    private readonly List<Task> _writes = [];
    private SafeFileHandle? _file;
    private string? _path;
    private PackId _pack;
    private long _length;
    private byte[]? _gathered;
    private long _gatheredOffset;
    private int _gatheredLength;

    public PackWriter(IBlobStore store, string scratchFolder, int compressionLevel)
    {
        _store = store;
        _scratchFolder = scratchFolder;
        _codec = new BlobCodec(compressionLevel);
    }

    /// <summary>Bytes of blobs placed in the pack so far (written or still being written).</summary>
    public long CurrentLength => _length;

    /// <summary>Stores a blob in the current pack and returns where it will be once the pack is sealed.</summary>
    public async Task<BlobLocation> AddAsync(BlobType type, BlobId id, ReadOnlyMemory<byte> plaintext, bool tryCompress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlobCodec.MaxEncodedLength(plaintext.Length));
        try
        {
            var compressed = _codec.TryCompress(plaintext.Span, buffer, tryCompress);
            var (location, written) = compressed >= 0
                ? Append(type, id, buffer.AsMemory(0, compressed), plaintext.Length, BlobCompression.Zstd)
                : Append(type, id, plaintext, plaintext.Length, BlobCompression.None);
            await written;
            return location;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Places a blob its caller already encoded at the end of the pack and starts writing it. The caller
    /// must await <c>Written</c> before it reuses <paramref name="stored"/>; a write that fails also fails
    /// <see cref="SealAsync"/>, because blobs placed after it may already be referenced.
    /// </summary>
    public (BlobLocation Location, Task Written) Append(BlobType type, BlobId id, ReadOnlyMemory<byte> stored, int rawLength, BlobCompression compression)
    {
        if (_file is null)
        {
            Open();
        }
        var location = new BlobLocation(id, _pack, _length, stored.Length, rawLength, compression);
        Task written;
        if (stored.Length <= GatherLimit)
        {
            if (_gathered is not null && _gatheredLength + stored.Length > _gathered.Length)
            {
                WriteGathered();
            }
            if (_gathered is null)
            {
                _gathered = ArrayPool<byte>.Shared.Rent(GatherBufferSize);
                _gatheredOffset = _length;
            }
            stored.Span.CopyTo(_gathered.AsSpan(_gatheredLength));
            _gatheredLength += stored.Length;
            written = Task.CompletedTask;
        }
        else
        {
            // Gathered bytes lie before this blob: write them first so the two ranges stay back to back.
            WriteGathered();
            written = RandomAccess.WriteAsync(_file!, stored, _length, CancellationToken.None).AsTask();
            _writes.Add(written);
        }
        _entries.Add((type, location));
        _length += stored.Length;
        return (location, written);
    }

    /// <summary>Waits for every write, writes the trailer, uploads the pack and returns its blobs for the index; null when empty.</summary>
    public async Task<SealedPack?> SealAsync(CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return null;
        }
        WriteGathered();
        var writes = _writes.ToArray();
        _writes.Clear();
        await Task.WhenAll(writes);
        var trailer = new byte[_entries.Count * PackFormat.EntrySize + PackFormat.FooterSize];
        for (var i = 0; i < _entries.Count; i++)
        {
            PackFormat.WriteEntry(trailer.AsSpan(i * PackFormat.EntrySize), _entries[i].Type, _entries[i].Location);
        }
        var footer = trailer.AsSpan(_entries.Count * PackFormat.EntrySize);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)_entries.Count);
        PackFormat.Magic.CopyTo(footer[4..]);
        await RandomAccess.WriteAsync(_file, trailer, _length, cancellationToken);
        _file.Dispose();
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
        // Never close the file under a write still running (its caller owns the bytes until it ends).
        try
        {
            await Task.WhenAll(_writes);
        }
        catch (Exception)
        {
            // Reported to whoever awaited the write; the pack is discarded anyway.
        }
        _writes.Clear();
        if (_gathered is not null)
        {
            ArrayPool<byte>.Shared.Return(_gathered);
            _gathered = null;
        }
        _file?.Dispose();
        _file = null;
        DeleteStaged();
        _codec.Dispose();
    }

    private void Open()
    {
        // Staged where the store can move it into place (a local vault), else in scratch space and copied.
        var folder = _store.StagingFolder ?? _scratchFolder;
        Directory.CreateDirectory(folder);
        _pack = PackId.NewRandom();
        _path = Path.Combine(folder, $"{_pack}.pack.partial");
        _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        _length = 0;
    }

    private void WriteGathered()
    {
        if (_gathered is null)
        {
            return;
        }
        var buffer = _gathered;
        _writes.Add(WriteAndReturnAsync(_file!, buffer, _gatheredLength, _gatheredOffset));
        _gathered = null;
        _gatheredLength = 0;

        static async Task WriteAndReturnAsync(SafeFileHandle file, byte[] buffer, int length, long offset)
        {
            try
            {
                await RandomAccess.WriteAsync(file, buffer.AsMemory(0, length), offset, CancellationToken.None);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
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
