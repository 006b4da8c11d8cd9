using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>PackWriter writes blobs into packs; BlobReader reads one back by its location and proves its hash.</summary>
public sealed class PackWriterTests : IDisposable
{
    private readonly TempFolder _folder = new("packs");
    private readonly FileBlobStore _store;

    public PackWriterTests()
    {
        _store = new FileBlobStore(_folder.Combine("vault"));
    }

    public void Dispose() => _folder.Dispose();

    private static readonly (string Name, byte[] Plaintext)[] Blobs =
    [
        ("compressible text", TestData.CompressibleText(300_000)),
        ("random bytes", TestData.RandomBytes(200_000, seed: 11)),
        ("empty", []),
        ("one byte", [42]),
        ("short text", "hello, vault"u8.ToArray()),
        ("random 1 MiB", TestData.RandomBytes(1 << 20, seed: 12)),
    ];

    [Fact]
    public async Task Every_blob_of_a_sealed_pack_reads_back_byte_for_byte()
    {
        var (sealedPack, locations) = await WritePackAsync();

        using var reader = new BlobReader(_store);
        for (var i = 0; i < Blobs.Length; i++)
        {
            Assert.Equal(Blobs[i].Plaintext, await reader.ReadAsync(locations[i], CancellationToken.None));
        }
        Assert.Equal(locations, sealedPack.Blobs.Select(b => b.Location));
    }

    [Fact]
    public async Task Compressible_blobs_are_stored_compressed_and_incompressible_ones_as_they_are()
    {
        var (_, locations) = await WritePackAsync();

        Assert.Equal(BlobCompression.Zstd, locations[0].Compression);
        Assert.True(locations[0].StoredLength < Blobs[0].Plaintext.Length / 5, $"stored {locations[0].StoredLength} bytes of {Blobs[0].Plaintext.Length}");
        Assert.Equal(BlobCompression.None, locations[1].Compression);
        Assert.Equal(Blobs[1].Plaintext.Length, locations[1].StoredLength);
        Assert.All(locations.Zip(Blobs), pair => Assert.Equal(pair.Second.Plaintext.Length, pair.First.RawLength));
    }

    [Fact]
    public async Task The_sealed_pack_is_stored_under_its_id_and_has_the_reported_size()
    {
        var (sealedPack, locations) = await WritePackAsync();

        Assert.Equal(sealedPack.Size, await _store.GetSizeAsync(sealedPack.Id.FileName, CancellationToken.None));
        Assert.All(locations, l => Assert.Equal(sealedPack.Id, l.Pack));
        Assert.Matches("^data/[0-9a-f]{2}/[0-9a-f]{32}$", sealedPack.Id.FileName);
    }

    [Fact]
    public async Task The_trailer_of_a_sealed_pack_lists_the_same_blobs_as_SealAsync_returned()
    {
        var (sealedPack, _) = await WritePackAsync();
        var packBytes = await ReadFileAsync(sealedPack.Id.FileName);

        var trailer = PackFormat.ReadTrailer(sealedPack.Id, packBytes);

        Assert.Equal(sealedPack.Blobs, trailer);
    }

    [Fact]
    public async Task Sealing_an_empty_writer_stores_nothing_and_returns_null()
    {
        await using var writer = new PackWriter(_store, _folder.Combine("scratch"), compressionLevel: 3);

        Assert.Null(await writer.SealAsync(CancellationToken.None));
        Assert.Null(await _store.GetSizeAsync("data", CancellationToken.None));
        Assert.False(Directory.Exists(_folder.Combine("vault", "data")));
    }

    [Fact]
    public async Task A_writer_starts_a_new_pack_after_sealing()
    {
        await using var writer = new PackWriter(_store, _folder.Combine("scratch"), compressionLevel: 3);
        var first = await AddAsync(writer, [1, 2, 3]);
        var firstPack = await writer.SealAsync(CancellationToken.None);
        var second = await AddAsync(writer, [4, 5, 6]);
        var secondPack = await writer.SealAsync(CancellationToken.None);

        Assert.NotEqual(firstPack!.Id, secondPack!.Id);
        Assert.Equal(0, second.Offset);
        using var reader = new BlobReader(_store);
        Assert.Equal([1, 2, 3], await reader.ReadAsync(first, CancellationToken.None));
        Assert.Equal([4, 5, 6], await reader.ReadAsync(second, CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupted_byte_in_a_stored_blob_makes_the_reader_throw_InvalidDataException_naming_the_blob()
    {
        var (sealedPack, locations) = await WritePackAsync();
        var random = locations[1];
        await FlipByteAsync(sealedPack.Id.FileName, random.Offset + random.StoredLength / 2);

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(random, CancellationToken.None));

        Assert.Contains(random.Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(Blobs[0].Plaintext, await reader.ReadAsync(locations[0], CancellationToken.None));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public async Task A_corrupted_byte_in_a_compressed_blob_makes_the_reader_throw_InvalidDataException_naming_the_blob(double where)
    {
        var (sealedPack, locations) = await WritePackAsync();
        var compressed = locations[0];
        await FlipByteAsync(sealedPack.Id.FileName, compressed.Offset + (long)(compressed.StoredLength * where));

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(compressed, CancellationToken.None));

        Assert.Contains(compressed.Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupted_frame_header_of_a_compressed_blob_makes_the_reader_throw_InvalidDataException_naming_the_blob()
    {
        var (sealedPack, locations) = await WritePackAsync();
        var compressed = locations[0];
        await FlipByteAsync(sealedPack.Id.FileName, compressed.Offset);

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(compressed, CancellationToken.None));

        Assert.Contains(compressed.Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pack_truncated_inside_a_blob_makes_the_reader_throw_InvalidDataException_naming_the_blob()
    {
        var (sealedPack, locations) = await WritePackAsync();
        var last = locations[^1];
        var path = Path.Combine(_store.Location, sealedPack.Id.FileName.Replace('/', Path.DirectorySeparatorChar));
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(last.Offset + last.StoredLength / 2);
        }

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(last, CancellationToken.None));

        Assert.Contains(last.Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_location_with_a_wrong_raw_length_is_refused_naming_the_blob()
    {
        var (_, locations) = await WritePackAsync();
        var wrong = locations[0] with { RawLength = locations[0].RawLength - 1 };

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(wrong, CancellationToken.None));

        Assert.Contains(wrong.Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_location_naming_another_blob_id_is_refused_as_corrupt()
    {
        var (_, locations) = await WritePackAsync();
        var wrong = locations[4] with { Id = BlobId.Of("something else"u8) };

        using var reader = new BlobReader(_store);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(wrong, CancellationToken.None));

        Assert.Contains(wrong.Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_staged_file_of_a_pack_is_gone_once_it_is_sealed()
    {
        var (pack, _) = await WritePackAsync();

        foreach (var folder in new[] { _folder.Combine("scratch"), _store.StagingFolder! })
        {
            Assert.Empty(Directory.Exists(folder) ? Directory.EnumerateFiles(folder) : []);
        }
        Assert.Equal(pack.Size, await _store.GetSizeAsync(pack.Id.FileName, CancellationToken.None));
    }

    private async Task<(SealedPack Pack, List<BlobLocation> Locations)> WritePackAsync()
    {
        await using var writer = new PackWriter(_store, _folder.Combine("scratch"), compressionLevel: 3);
        var locations = new List<BlobLocation>();
        foreach (var (_, plaintext) in Blobs)
        {
            locations.Add(await AddAsync(writer, plaintext));
        }
        var sealedPack = await writer.SealAsync(CancellationToken.None);
        Assert.NotNull(sealedPack);
        return (sealedPack, locations);
    }

    private static Task<BlobLocation> AddAsync(PackWriter writer, byte[] plaintext) =>
        writer.AddAsync(BlobType.Data, BlobId.Of(plaintext), plaintext, tryCompress: true, CancellationToken.None);

    private async Task<byte[]> ReadFileAsync(string name)
    {
        await using var stream = await _store.GetAsync(name, 0, null, CancellationToken.None);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private async Task FlipByteAsync(string name, long offset)
    {
        var path = Path.Combine(_store.Location, name.Replace('/', Path.DirectorySeparatorChar));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[offset] ^= 0x5A;
        await File.WriteAllBytesAsync(path, bytes);
    }
}
