using System.Buffers;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault;

/// <summary>Reads one blob by its location, decompresses it and proves its content hash.</summary>
public sealed class BlobReader : IDisposable
{
    private readonly IBlobStore _store;
    private readonly BlobCodec _codec = new(1);

    public BlobReader(IBlobStore store)
    {
        _store = store;
    }

    /// <summary>Fills <paramref name="plaintext"/> (exactly RawLength bytes) with the blob's content.</summary>
    public async Task ReadAsync(BlobLocation location, Memory<byte> plaintext, CancellationToken cancellationToken)
    {
        var stored = ArrayPool<byte>.Shared.Rent(location.StoredLength);
        try
        {
            try
            {
                await using (var stream = await _store.GetAsync(location.Pack.FileName, location.Offset, location.StoredLength, cancellationToken))
                {
                    await stream.ReadExactlyAsync(stored.AsMemory(0, location.StoredLength), cancellationToken);
                }
                _codec.Decode(stored.AsSpan(0, location.StoredLength), location.Compression, plaintext.Span[..location.RawLength]);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException)
            {
                throw new InvalidDataException($"Blob {location.Id} in pack {location.Pack} at offset {location.Offset} is corrupt: {e.Message}", e);
            }
            if (BlobId.Of(plaintext.Span[..location.RawLength]) != location.Id)
            {
                throw new InvalidDataException($"Blob {location.Id} in pack {location.Pack} at offset {location.Offset} is corrupt: its content does not match its hash.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    public async Task<byte[]> ReadAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var plaintext = new byte[location.RawLength];
        await ReadAsync(location, plaintext, cancellationToken);
        return plaintext;
    }

    /// <summary>Another reader of the same store, for another thread: a reader's decompression context is its own.</summary>
    internal BlobReader NewSibling() => new(_store);

    public void Dispose() => _codec.Dispose();
}
