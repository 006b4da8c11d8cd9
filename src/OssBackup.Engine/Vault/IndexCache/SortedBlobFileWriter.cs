namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// Writes a <see cref="SortedBlobFile"/> from ids given in increasing order, dropping an id equal to the one before
/// (index files may list a blob twice). The file is written under a temporary name and renamed only when complete
/// and flushed, so a crash never leaves a short file under a name the manifest could point at.
/// </summary>
internal sealed class SortedBlobFileWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temporaryPath;
    private readonly string _vaultId;
    private readonly FileStream _file;
    private readonly byte[] _record = new byte[IndexCacheRecord.Size];
    private readonly byte[] _previous = new byte[IndexCacheRecord.Size];
    private bool _completed;

    public SortedBlobFileWriter(string path, string vaultId)
    {
        _path = path;
        _vaultId = vaultId;
        _temporaryPath = $"{path}.{Guid.NewGuid():N}.partial";
        _file = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _file.Write(new byte[SortedBlobFile.HeaderSize]);
    }

    public long Count { get; private set; }

    public void Add(in BlobLocation location)
    {
        IndexCacheRecord.Write(_record, location);
        if (Count > 0)
        {
            var order = IndexCacheRecord.CompareIds(_record, _previous);
            if (order == 0)
            {
                return;
            }
            if (order < 0)
            {
                throw new InvalidOperationException($"Blob {location.Id} was given after a greater id: an index cache file must be written in id order.");
            }
        }
        _file.Write(_record);
        _record.CopyTo(_previous, 0);
        Count++;
    }

    /// <summary>Writes the header, flushes to disk and gives the file its final name.</summary>
    public void Complete()
    {
        Span<byte> header = stackalloc byte[SortedBlobFile.HeaderSize];
        SortedBlobFile.WriteHeader(header, _vaultId, Count);
        _file.Position = 0;
        _file.Write(header);
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(_temporaryPath, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!_completed)
        {
            IndexCacheFolder.TryDelete(_temporaryPath);
        }
    }
}
