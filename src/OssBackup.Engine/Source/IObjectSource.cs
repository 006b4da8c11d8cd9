namespace OssBackup.Engine.Source;

/// <summary>The bucket being backed up, as the backup needs it: a listing and object reads.</summary>
public interface IObjectSource
{
    string Description { get; }

    /// <summary>Objects under a prefix in key order.</summary>
    IAsyncEnumerable<SourceObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Opens an object's content with the metadata the server returned for it.</summary>
    /// <exception cref="ObjectGoneException">The object no longer exists.</exception>
    Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken);
}

/// <summary>A bucket objects are restored into.</summary>
public interface IObjectTarget
{
    string Description { get; }

    /// <summary>True for a file system, where a key cannot be both a file and a folder (a and a/b).</summary>
    bool IsFileTree => false;

    /// <summary>Size and ETag of a written object, to verify it; null when the target cannot tell (a folder).</summary>
    Task<(long Size, string ETag)?> StatAsync(string key, CancellationToken cancellationToken) => Task.FromResult<(long, string)?>(null);

    /// <summary>The existing content at a key, where the target can hand it out cheaply (a file); else null.</summary>
    Task<Stream?> OpenExistingAsync(string key, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Uploads a whole object with its Content-MD5, so the server rejects corrupted bytes.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectWrite write, CancellationToken cancellationToken);

    Task<IMultipartWrite> StartMultipartAsync(string key, ObjectWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// The largest object the target takes as one streamed write (<see cref="PutStreamAsync"/>) rather than
    /// as a multipart upload; 0 when it cannot stream. One request costs a server less than a multipart
    /// upload's three or more, but a failure resends the whole object, hence a limit.
    /// </summary>
    long StreamedPutLimit => 0;

    /// <summary>
    /// Uploads a whole object from <paramref name="body"/> without holding it in memory. The caller knows
    /// the content's MD5 in advance (<see cref="ObjectWrite.ContentMd5"/>, required), and the server checks it.
    /// </summary>
    /// <exception cref="ContentDigestMismatchException">The server computed another MD5 from the bytes it received.</exception>
    Task PutStreamAsync(string key, IObjectBody body, ObjectWrite write, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Description} does not take streamed writes.");

    /// <summary>Keys under a prefix in key order, for a rollback to find what the point does not hold.</summary>
    IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Description} cannot be listed for a rollback; -Rollback works on bucket targets.");

    /// <summary>Deletes keys; returns the ones that could not be deleted, each with the reason.</summary>
    Task<IReadOnlyList<KeyValuePair<string, string>>> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Description} does not support deleting objects; -Rollback works on bucket targets.");
}

/// <summary>
/// How an object is written: its headers and user metadata as backed up, and the storage class to write
/// it in (null: the bucket's default).
/// </summary>
public sealed record ObjectWrite(IReadOnlyList<KeyValuePair<string, string>> Metadata, string? StorageClass = null)
{
    /// <summary>The MD5 of a single PUT's content when the caller has it already; empty: the target computes it.</summary>
    public ReadOnlyMemory<byte> ContentMd5 { get; init; }
}

/// <summary>An object's content of known length that can be written out any number of times (once per attempt).</summary>
public interface IObjectBody
{
    long Length { get; }

    Task WriteToAsync(Stream destination, CancellationToken cancellationToken);
}

/// <summary>
/// The server refused a write because the bytes it received do not have the Content-MD5 sent with them
/// (S3's BadDigest): damaged on the way, or an MD5 that was never the content's.
/// </summary>
public sealed class ContentDigestMismatchException(string message) : IOException(message);

/// <summary>A multipart upload in progress; disposing it without completing aborts it, leaving no orphan parts.</summary>
public interface IMultipartWrite : IAsyncDisposable
{
    Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Uploads a part whose MD5 the caller has already computed (a restore needs it for the ETag it verifies), so it is hashed once.</summary>
    Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, ReadOnlyMemory<byte> contentMd5, CancellationToken cancellationToken) =>
        UploadPartAsync(partNumber, content, cancellationToken);

    Task CompleteAsync(CancellationToken cancellationToken);
}

public sealed class SourceRead(Stream content, long length, string etag, DateTimeOffset lastModified, string storageClass, IReadOnlyList<KeyValuePair<string, string>> metadata, IDisposable? owner) : IAsyncDisposable
{
    /// <summary>False when the server says the ETag is not the content's MD5 (SSE-KMS, SSE-C), even if it looks like one.</summary>
    public bool ETagMayBeMd5 { get; init; } = true;

    public Stream Content { get; } = content;
    public long Length { get; } = length;
    public string ETag { get; } = etag;
    public DateTimeOffset LastModified { get; } = lastModified;
    public string StorageClass { get; } = storageClass;
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; } = metadata;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        owner?.Dispose();
    }
}

/// <summary>The object was deleted between the listing and the read.</summary>
public sealed class ObjectGoneException(string key) : Exception($"Object '{key}' no longer exists in the source.")
{
    public string Key { get; } = key;
}
