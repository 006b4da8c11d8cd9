namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>Reads a <see cref="SortedBlobFile"/> front to back through a small buffer, for merges.</summary>
internal sealed class SortedBlobFileReader : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;
    private readonly byte[] _record = new byte[IndexCacheRecord.Size];
    private long _remaining;

    public SortedBlobFileReader(string path, string vaultId, int bufferSize)
    {
        _path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> header = stackalloc byte[SortedBlobFile.HeaderSize];
            _file.ReadExactly(header);
            _remaining = SortedBlobFile.ReadHeader(header, vaultId, path);
            if (_file.Length != SortedBlobFile.HeaderSize + _remaining * IndexCacheRecord.Size)
            {
                throw new InvalidDataException($"Index cache file '{path}' is {_file.Length} bytes long, but its header says {_remaining} records.");
            }
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The record read last; valid after <see cref="MoveNext"/> returned true.</summary>
    public BlobLocation Current { get; private set; }

    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            return false;
        }
        _file.ReadExactly(_record);
        if (!IndexCacheRecord.TryRead(_record, out var location))
        {
            throw new InvalidDataException($"Index cache file '{_path}' holds a damaged record.");
        }
        Current = location;
        _remaining--;
        return true;
    }

    public void Dispose() => _file.Dispose();
}
