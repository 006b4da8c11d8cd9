using OssBackup.Engine.Source;

namespace OssBackup.Engine.Restore;

/// <summary>
/// Restores into a local folder. Every file is written under a temporary name beside its final one and
/// renamed only when complete, so an interrupted restore never leaves a partial file under a real name.
/// </summary>
public sealed class LocalFolderTarget : IObjectTarget
{
    private const string PartialSuffix = ".ossbackup-partial";
    private readonly LocalPathMapper _mapper;

    public LocalFolderTarget(string root)
    {
        _mapper = new LocalPathMapper(root);
        if (File.Exists(_mapper.Root))
        {
            throw new ArgumentException($"-TargetPath '{_mapper.Root}' is a file; give a folder.");
        }
    }

    public string Description => _mapper.Root;

    public bool IsFileTree => true;

    public Task<Stream?> OpenExistingAsync(string key, CancellationToken cancellationToken)
    {
        var path = _mapper.Map(key);
        return Task.FromResult<Stream?>(File.Exists(path) ? File.OpenRead(path) : null);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var path = _mapper.Map(key);
        return Task.FromResult(key.EndsWith('/') ? Directory.Exists(path) : File.Exists(path));
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectWrite write, CancellationToken cancellationToken)
    {
        var path = _mapper.Map(key);
        if (key.EndsWith('/'))
        {
            CreateFolder(key, path);
            return;
        }
        var temp = PrepareTemp(key, path);
        try
        {
            await File.WriteAllBytesAsync(temp, content.ToArray(), cancellationToken);
            Commit(key, temp, path, content.Length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public Task<IMultipartWrite> StartMultipartAsync(string key, ObjectWrite write, CancellationToken cancellationToken)
    {
        var path = _mapper.Map(key);
        return Task.FromResult<IMultipartWrite>(new FileWrite(this, key, path, PrepareTemp(key, path)));
    }

    private static void CreateFolder(string key, string path)
    {
        if (File.Exists(path))
        {
            throw new UnsafeKeyException(key, "FileFolderConflict", "a file of the same name was restored");
        }
        Directory.CreateDirectory(path);
    }

    private static string PrepareTemp(string key, string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        for (var parent = folder; parent.Length > 0 && !Directory.Exists(parent); parent = Path.GetDirectoryName(parent) ?? "")
        {
            if (File.Exists(parent))
            {
                throw new UnsafeKeyException(key, "FileFolderConflict", $"'{parent}' is a file but the key needs it as a folder");
            }
        }
        if (Directory.Exists(path))
        {
            throw new UnsafeKeyException(key, "FileFolderConflict", "a folder of the same name is needed by other keys");
        }
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{PartialSuffix}");
    }

    private static void Commit(string key, string temp, string path, long expectedLength)
    {
        var written = new FileInfo(temp).Length;
        if (written != expectedLength)
        {
            throw new InvalidDataException($"'{key}': wrote {written} bytes but the backup holds {expectedLength}.");
        }
        File.Move(temp, path, overwrite: true);
    }

    private sealed class FileWrite(LocalFolderTarget target, string key, string path, string temp) : IMultipartWrite
    {
        private readonly FileStream _file = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        private long _length;
        private bool _completed;

        public async Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await _file.WriteAsync(content, cancellationToken);
            _length += content.Length;
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await _file.FlushAsync(cancellationToken);
            await _file.DisposeAsync();
            Commit(key, temp, path, _length);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await _file.DisposeAsync();
            if (!_completed)
            {
                File.Delete(temp);
            }
            _ = target;
        }
    }
}
