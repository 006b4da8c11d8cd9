namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// Turns blobs in any order into one sorted blob file with an external sort: blobs are gathered in a buffer of
/// fixed size, each full buffer is sorted and written as a run, and the runs are merged at the end. Memory is the
/// buffer (80 bytes a blob) whatever the number of blobs; disk is the runs.
/// </summary>
internal sealed class SortedBlobFileBuilder : IDisposable
{
    private readonly string _vaultId;
    private readonly string _scratchFolder;
    private readonly BlobLocation[] _buffer;
    private readonly List<string> _runs = [];
    private int _buffered;

    public SortedBlobFileBuilder(string vaultId, string scratchFolder, int runCapacity)
    {
        _vaultId = vaultId;
        _scratchFolder = scratchFolder;
        _buffer = new BlobLocation[runCapacity];
    }

    public long Added { get; private set; }

    public void Add(in BlobLocation location)
    {
        if (_buffered == _buffer.Length)
        {
            SpillRun();
        }
        _buffer[_buffered++] = location;
        Added++;
    }

    /// <summary>Writes the sorted file; returns its record count (ids listed twice count once).</summary>
    public long Complete(string output)
    {
        if (_runs.Count == 0)
        {
            return WriteRun(output);
        }
        if (_buffered > 0)
        {
            SpillRun();
        }
        return SortedBlobFileMerger.Merge(_runs, output, _vaultId, _scratchFolder).Written;
    }

    public void Dispose() => _runs.ForEach(IndexCacheFolder.TryDelete);

    private void SpillRun()
    {
        var path = Path.Combine(_scratchFolder, $"run-{Guid.NewGuid():N}.blobs");
        _runs.Add(path);
        WriteRun(path);
    }

    private long WriteRun(string path)
    {
        Array.Sort(_buffer, 0, _buffered, BlobIdComparer.Instance);
        using var writer = new SortedBlobFileWriter(path, _vaultId);
        for (var i = 0; i < _buffered; i++)
        {
            writer.Add(_buffer[i]);
        }
        writer.Complete();
        _buffered = 0;
        return writer.Count;
    }
}
