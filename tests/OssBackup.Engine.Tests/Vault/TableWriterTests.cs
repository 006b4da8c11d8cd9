using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>A point's object table: written in key order into segment blobs, read back in order from any key.</summary>
public sealed class TableWriterTests(TableWriterTests.WrittenTable table) : IClassFixture<TableWriterTests.WrittenTable>, IDisposable
{
    private const int EntryCount = 50_000;

    private readonly TempFolder _folder = new("table");

    private List<ObjectEntry> Entries => table.Entries;

    public void Dispose() => _folder.Dispose();

    /// <summary>50,000 entries with awkward keys, written once into a vault of their own and shared by the reading tests.</summary>
    public sealed class WrittenTable : IAsyncLifetime, IDisposable
    {
        private readonly TempFolder _folder = new("table-shared");

        public List<ObjectEntry> Entries { get; } = MakeEntries(EntryCount, seed: 21);
        public FileBlobStore Store { get; private set; } = null!;
        public IReadOnlyList<TableSegmentRef> Segments { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Store = new FileBlobStore(_folder.Combine("vault"));
            await using var pack = new PackWriter(Store, _folder.Combine("scratch"), compressionLevel: 3);
            Segments = await WriteSegmentsAsync(pack, new BlobIndex(), Entries);
            await pack.SealAsync(CancellationToken.None);
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => _folder.Dispose();
    }

    [Fact]
    public async Task Fifty_thousand_entries_with_awkward_keys_read_back_exactly_in_order()
    {
        var segments = table.Segments;

        var read = await ReadTableAsync(segments, fromKey: null);

        Assert.Equal(Entries.Count, read.Count);
        var firstDifference = Enumerable.Range(0, Entries.Count).FirstOrDefault(i => !SameEntry(Entries[i], read[i]), -1);
        if (firstDifference >= 0)
        {
            AssertSameEntry(Entries[firstDifference], read[firstDifference]);
        }
        Assert.Equal(-1, firstDifference);
    }

    [Fact]
    public async Task The_table_is_split_into_ordered_segments_that_cover_every_entry_once()
    {
        var segments = table.Segments;

        Assert.True(segments.Count > 1, $"expected several segments, got {segments.Count}");
        Assert.Equal(EntryCount, segments.Sum(s => s.Count));
        var first = 0;
        foreach (var segment in segments)
        {
            Assert.Equal(Entries[first].Key, segment.FirstKey);
            Assert.Equal(Entries[first + (int)segment.Count - 1].Key, segment.LastKey);
            first += (int)segment.Count;
        }
    }

    [Fact]
    public async Task Reading_from_a_key_in_the_table_starts_at_that_entry()
    {
        var segments = table.Segments;

        var read = await ReadTableAsync(segments, fromKey: Entries[31_337].Key);

        Assert.Equal(EntryCount - 31_337, read.Count);
        AssertSameEntry(Entries[31_337], read[0]);
        AssertSameEntry(Entries[^1], read[^1]);
    }

    [Fact]
    public async Task Reading_from_a_key_between_two_entries_starts_at_the_next_one()
    {
        var segments = table.Segments;

        var read = await ReadTableAsync(segments, fromKey: Entries[12_000].Key + "\0");

        Assert.Equal(EntryCount - 12_001, read.Count);
        Assert.Equal(Entries[12_001].Key, read[0].Key);
    }

    [Fact]
    public async Task Reading_from_the_first_key_of_a_later_segment_skips_the_earlier_segments_entries()
    {
        var segments = table.Segments;
        var third = segments[2];

        var read = await ReadTableAsync(segments, fromKey: third.FirstKey);

        Assert.Equal(third.FirstKey, read[0].Key);
        Assert.Equal(segments.Skip(2).Sum(s => s.Count), read.Count);
    }

    [Fact]
    public async Task Reading_from_a_key_above_every_entry_yields_nothing()
    {
        var segments = table.Segments;

        Assert.Empty(await ReadTableAsync(segments, fromKey: "\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF"));
    }

    [Theory]
    [InlineData("b", "a")]
    [InlineData("a", "a")]
    [InlineData("😀", "\uE000")]
    [InlineData("a/b", "a b")]
    public async Task A_key_not_above_the_previous_one_is_refused(string previous, string next)
    {
        await using var pack = new PackWriter(new FileBlobStore(_folder.Combine("vault")), _folder.Combine("scratch"), compressionLevel: 3);
        var table = new TableWriter(pack, new BlobIndex());
        await table.AddAsync(Entry(previous), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.AddAsync(Entry(next), CancellationToken.None));

        Assert.Contains(next, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_use_key_may_follow_nothing_but_lower_code_points_and_precede_an_emoji()
    {
        await using var pack = new PackWriter(new FileBlobStore(_folder.Combine("vault")), _folder.Combine("scratch"), compressionLevel: 3);
        var table = new TableWriter(pack, new BlobIndex());

        await table.AddAsync(Entry("\uE000"), CancellationToken.None);
        await table.AddAsync(Entry("😀"), CancellationToken.None);

        Assert.Equal(2, table.EntryCount);
    }

    [Fact]
    public async Task Writing_the_same_entries_twice_into_one_index_reuses_every_segment_blob()
    {
        var index = new BlobIndex();
        await using var pack = new PackWriter(new FileBlobStore(_folder.Combine("vault")), _folder.Combine("scratch"), compressionLevel: 3);
        var first = await WriteSegmentsAsync(pack, index, Entries);
        var lengthAfterFirst = pack.CurrentLength;

        var second = await WriteSegmentsAsync(pack, index, Entries);

        Assert.Equal(first, second);
        Assert.Equal(lengthAfterFirst, pack.CurrentLength);
        Assert.Equal(first.Count, first.Select(s => s.Blob.Id).Distinct().Count());
    }

    [Fact]
    public async Task Changing_one_entry_rewrites_only_the_segment_that_holds_it()
    {
        var index = new BlobIndex();
        await using var pack = new PackWriter(new FileBlobStore(_folder.Combine("vault")), _folder.Combine("scratch"), compressionLevel: 3);
        var before = await WriteSegmentsAsync(pack, index, Entries);
        var changed = Entries.ToList();
        changed[25_000] = changed[25_000] with { Size = changed[25_000].Size + 1, ETag = "0123456789abcdef0123456789abcdef" };

        var after = await WriteSegmentsAsync(pack, index, changed);

        Assert.Equal(before.Count, after.Count);
        Assert.Single(before.Zip(after), pair => pair.First.Blob.Id != pair.Second.Blob.Id);
    }

    private static async Task<IReadOnlyList<TableSegmentRef>> WriteSegmentsAsync(PackWriter pack, BlobIndex index, IEnumerable<ObjectEntry> entries)
    {
        var table = new TableWriter(pack, index);
        foreach (var entry in entries)
        {
            await table.AddAsync(entry, CancellationToken.None);
        }
        return await table.CompleteAsync(CancellationToken.None);
    }

    private async Task<List<ObjectEntry>> ReadTableAsync(IReadOnlyList<TableSegmentRef> segments, string? fromKey)
    {
        using var reader = new BlobReader(table.Store);
        var entries = new List<ObjectEntry>();
        await foreach (var entry in TableReader.ReadAsync(reader, segments, fromKey, CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }

    private static void AssertSameEntry(ObjectEntry expected, ObjectEntry actual)
    {
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Size, actual.Size);
        Assert.Equal(expected.ETag, actual.ETag);
        Assert.Equal(expected.LastModified, actual.LastModified);
        Assert.Equal(expected.StorageClass, actual.StorageClass);
        Assert.Equal(expected.Metadata, actual.Metadata);
        Assert.Equal(expected.Chunks, actual.Chunks);
    }

    /// <summary>A fast field-by-field comparison; <see cref="AssertSameEntry"/> then says what differs.</summary>
    private static bool SameEntry(ObjectEntry expected, ObjectEntry actual) =>
        expected.Key == actual.Key && expected.Size == actual.Size && expected.ETag == actual.ETag && expected.LastModified == actual.LastModified
        && expected.StorageClass == actual.StorageClass && expected.Metadata.SequenceEqual(actual.Metadata) && expected.Chunks.SequenceEqual(actual.Chunks);

    private static ObjectEntry Entry(string key) =>
        new(key, 1, "etag", DateTimeOffset.FromUnixTimeMilliseconds(0), "STANDARD", [], []);

    internal static List<ObjectEntry> MakeEntries(int count, int seed)
    {
        var random = new Random(seed);
        string[] storageClasses = ["STANDARD", "IA", "Archive", "STANDARD_IA", ""];
        var keys = AwkwardKeys.Distinct(count, seed, maxPieces: 10).Order(KeyOrder.Instance).ToList();
        return keys.Select(key =>
        {
            var metadata = new List<KeyValuePair<string, string>>();
            if (random.Next(3) > 0)
            {
                metadata.Add(new("Content-Type", random.Next(2) == 0 ? "text/plain; charset=utf-8" : "application/octet-stream"));
            }
            if (random.Next(4) == 0)
            {
                metadata.Add(new("x-amz-meta-owner", AwkwardKeys.Next(random, 3)));
                metadata.Add(new("Cache-Control", "max-age=60"));
            }
            var chunks = Enumerable.Range(0, random.Next(4)).Select(_ => new BlobLocation(
                BlobId.Of(TestData.RandomBytes(8, random.Next())),
                PackId.Read(TestData.RandomBytes(PackId.Size, random.Next())),
                random.NextInt64(0, 1L << 40),
                random.Next(0, 8 << 20),
                random.Next(0, 8 << 20),
                random.Next(2) == 0 ? BlobCompression.None : BlobCompression.Zstd)).ToArray();
            return new ObjectEntry(
                key,
                random.NextInt64(0, 1L << 42),
                random.Next(5) == 0 ? $"{random.Next():x8}{random.Next():x8}-{random.Next(2, 1000)}" : $"{random.Next():x8}{random.Next():x8}{random.Next():x8}{random.Next():x8}",
                DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(0, 4_102_444_800_000)),
                storageClasses[random.Next(storageClasses.Length)],
                metadata,
                chunks);
        }).ToList();
    }
}
