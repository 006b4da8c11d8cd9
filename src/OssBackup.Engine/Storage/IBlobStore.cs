namespace OssBackup.Engine.Storage;

/// <summary>Dumb named-file storage under one root: all a vault needs from a folder or a bucket.</summary>
public interface IBlobStore
{
    /// <summary>A short description for messages (a path or URL), never containing secrets.</summary>
    string Location { get; }

    /// <summary>Writes a whole file atomically: readers see the old state or the complete new one.</summary>
    Task PutAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a file, or a range of it when <paramref name="length"/> is given.</summary>
    Task<Stream> GetAsync(string name, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>The size of a file, or null when it does not exist.</summary>
    Task<long?> GetSizeAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every file whose name starts with <paramref name="prefix"/>, with its size.</summary>
    IAsyncEnumerable<StoredFile> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Removes a file; removing a missing file is not an error.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>A local folder on the store's own file system where files can be prepared and then moved in, or null.</summary>
    string? StagingFolder => null;

    /// <summary>Stores a prepared local file under a name (atomically); a local store moves it instead of copying.</summary>
    async Task PutFileAsync(string name, string localPath, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await PutAsync(name, file, cancellationToken);
    }
}

public sealed record StoredFile(string Name, long Size);
