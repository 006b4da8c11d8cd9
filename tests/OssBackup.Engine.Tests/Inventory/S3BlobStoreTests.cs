using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Tests.Storage;

/// <summary>The blob store on a bucket of the test S3 server, under a root prefix (kept beside the inventory tests that need it).</summary>
[Collection(S3Collection.Name)]
public sealed class S3BlobStoreTests(S3TestServer server, ScratchBucket bucket) : IClassFixture<ScratchBucket>
{
    [S3Fact]
    public async Task A_put_file_reads_back_whole_and_by_range_and_has_its_size()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, bucket.Name, "root/a");
        var content = TestData.RandomBytes(300_000, seed: 1);

        await store.PutAsync("data/ab/pack 1", new MemoryStream(content), CancellationToken.None);

        Assert.Equal(content, await ReadAsync(store, "data/ab/pack 1", 0, null));
        Assert.Equal(content[1000..1777], await ReadAsync(store, "data/ab/pack 1", 1000, 777));
        Assert.Equal(content[299_000..], await ReadAsync(store, "data/ab/pack 1", 299_000, null));
        Assert.Empty(await ReadAsync(store, "data/ab/pack 1", 10, 0));
        Assert.Equal(300_000, await store.GetSizeAsync("data/ab/pack 1", CancellationToken.None));
        Assert.Contains("root/a/data/ab/pack 1", await ListKeysAsync(server, bucket.Name));
    }

    [S3Fact]
    public async Task A_non_seekable_stream_is_uploaded_with_its_MD5()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, bucket.Name, "root/b/");
        var content = TestData.RandomBytes(70_000, seed: 2);

        await store.PutAsync("config", new System.IO.Compression.GZipStream(new MemoryStream(Gzip(content)), System.IO.Compression.CompressionMode.Decompress), CancellationToken.None);

        Assert.Equal(content, await ReadAsync(store, "config", 0, null));
    }

    [S3Fact]
    public async Task A_missing_file_has_no_size_and_reading_it_throws_FileNotFoundException_naming_it()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, bucket.Name, "root/c");

        Assert.Null(await store.GetSizeAsync("snapshots/nothere", CancellationToken.None));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => store.GetAsync("snapshots/nothere", 0, null, CancellationToken.None));
        Assert.Contains("snapshots/nothere", error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Listing_pages_through_every_file_under_a_prefix_with_names_relative_to_the_root()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, bucket.Name, "root/d");
        var names = Enumerable.Range(0, 1005).Select(i => $"index/{i:D4}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, ct) =>
            await store.PutAsync(name, new MemoryStream([1, 2, 3]), ct));
        await store.PutAsync("other", new MemoryStream([1]), CancellationToken.None);

        var listed = new List<StoredFile>();
        await foreach (var file in store.ListAsync("index/", CancellationToken.None))
        {
            listed.Add(file);
        }

        Assert.Equal(names, listed.Select(f => f.Name));
        Assert.All(listed, f => Assert.Equal(3, f.Size));
    }

    [S3Fact]
    public async Task Deleting_removes_the_file_and_deleting_a_missing_file_is_not_an_error()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, bucket.Name, "root/e");
        await store.PutAsync("locks/x", new MemoryStream([1]), CancellationToken.None);

        await store.DeleteAsync("locks/x", CancellationToken.None);
        await store.DeleteAsync("locks/x", CancellationToken.None);

        Assert.Null(await store.GetSizeAsync("locks/x", CancellationToken.None));
    }

    [S3Fact]
    public async Task A_missing_bucket_is_reported_as_BucketNotFound_naming_it()
    {
        using var client = server.NewClient();
        var store = new S3BlobStore(client, "ossb-no-such-bucket-" + Guid.NewGuid().ToString("N")[..12]);

        var error = await Assert.ThrowsAsync<SourceAccessException>(async () =>
        {
            await foreach (var _ in store.ListAsync("", CancellationToken.None))
            {
            }
        });

        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
        Assert.Contains(store.Bucket, error.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> ReadAsync(IBlobStore store, string name, long offset, long? length)
    {
        await using var stream = await store.GetAsync(name, offset, length, CancellationToken.None);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private static async Task<List<string>> ListKeysAsync(S3TestServer server, string bucket)
    {
        var keys = new List<string>();
        await foreach (var o in server.OpenBucket(bucket).ListAsync("", CancellationToken.None))
        {
            keys.Add(o.Key);
        }
        return keys;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }
}
