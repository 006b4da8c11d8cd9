using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Tests.Storage;

public sealed class FileBlobStoreTests : IDisposable
{
    private readonly TempFolder _folder = new("blobstore");
    private readonly FileBlobStore _store;

    public FileBlobStoreTests()
    {
        _store = new FileBlobStore(_folder.Path);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_put_that_fails_midway_leaves_no_file_under_the_final_name_and_no_partial_file()
    {
        var content = new FailingStream(TestData.RandomBytes(3 << 20, seed: 1), failAfter: 1 << 20);

        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("data/ab/abcdef", content, CancellationToken.None));

        Assert.Null(await _store.GetSizeAsync("data/ab/abcdef", CancellationToken.None));
        Assert.Empty(await ListAsync(""));
        Assert.Empty(Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_put_that_fails_midway_keeps_the_previous_content_of_the_file()
    {
        var original = TestData.RandomBytes(1000, seed: 2);
        await _store.PutAsync("config", new MemoryStream(original), CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() =>
            _store.PutAsync("config", new FailingStream(TestData.RandomBytes(1 << 20, seed: 3), failAfter: 1 << 19), CancellationToken.None));

        Assert.Equal(original, await ReadAsync("config", 0, null));
        Assert.Equal(["config"], (await ListAsync("")).Select(f => f.Name));
    }

    [Fact]
    public async Task A_ranged_get_returns_exactly_the_bytes_of_the_range()
    {
        var content = TestData.RandomBytes(100_000, seed: 4);
        await _store.PutAsync("data/00/pack", new MemoryStream(content), CancellationToken.None);

        Assert.Equal(content[12_345..(12_345 + 777)], await ReadAsync("data/00/pack", 12_345, 777));
        Assert.Equal(content[99_000..], await ReadAsync("data/00/pack", 99_000, null));
        Assert.Equal(content, await ReadAsync("data/00/pack", 0, null));
        Assert.Empty(await ReadAsync("data/00/pack", 500, 0));
    }

    [Fact]
    public async Task Get_of_a_missing_file_throws_FileNotFoundException_naming_it()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => _store.GetAsync("snapshots/nothere", 0, null, CancellationToken.None));

        Assert.Contains("snapshots/nothere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_returns_the_files_whose_names_start_with_the_prefix_with_their_sizes()
    {
        foreach (var (name, size) in new[] { ("config", 10), ("index/aa", 20), ("index/bb", 30), ("snapshots/cc", 40), ("data/ab/abcd", 50), ("data/cd/cdef", 60) })
        {
            await _store.PutAsync(name, new MemoryStream(new byte[size]), CancellationToken.None);
        }

        Assert.Equal([new StoredFile("index/aa", 20), new StoredFile("index/bb", 30)], (await ListAsync("index/")).OrderBy(f => f.Name, StringComparer.Ordinal));
        Assert.Equal(["data/ab/abcd"], (await ListAsync("data/a")).Select(f => f.Name));
        Assert.Equal(6, (await ListAsync("")).Count);
        Assert.Empty(await ListAsync("locks/"));
    }

    [Fact]
    public async Task A_partial_file_left_by_an_interrupted_put_is_not_listed()
    {
        await _store.PutAsync("index/complete", new MemoryStream([1, 2, 3]), CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, "index", $"torn.{Guid.NewGuid():N}.partial"), [4, 5]);

        Assert.Equal(["index/complete"], (await ListAsync("index/")).Select(f => f.Name));
    }

    [Fact]
    public async Task Size_of_a_file_is_its_length_and_null_when_missing()
    {
        await _store.PutAsync("index/one", new MemoryStream(new byte[1234]), CancellationToken.None);

        Assert.Equal(1234, await _store.GetSizeAsync("index/one", CancellationToken.None));
        Assert.Null(await _store.GetSizeAsync("index/two", CancellationToken.None));
    }

    [Fact]
    public async Task Delete_removes_a_file_and_deleting_a_missing_file_is_not_an_error()
    {
        await _store.PutAsync("locks/x", new MemoryStream([1]), CancellationToken.None);

        await _store.DeleteAsync("locks/x", CancellationToken.None);
        await _store.DeleteAsync("locks/x", CancellationToken.None);

        Assert.Null(await _store.GetSizeAsync("locks/x", CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("data/../../escape")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("data\\..\\x")]
    [InlineData("")]
    public async Task Names_that_could_leave_the_root_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(name, new MemoryStream([1]), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync(name, 0, null, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_folder.Path)!, "escape")));
    }

    private async Task<byte[]> ReadAsync(string name, long offset, long? length)
    {
        await using var stream = await _store.GetAsync(name, offset, length, CancellationToken.None);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private async Task<List<StoredFile>> ListAsync(string prefix)
    {
        var files = new List<StoredFile>();
        await foreach (var file in _store.ListAsync(prefix, CancellationToken.None))
        {
            files.Add(file);
        }
        return files;
    }

    /// <summary>Yields its bytes until <c>failAfter</c>, then fails the way a dropped connection does.</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("The connection was reset.");
            }
            var n = Math.Min(count, Math.Min(failAfter, content.Length) - _position);
            content.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
