using System.Text;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

public sealed class DigestPlanningTests : IDisposable
{
    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly TempFolder _folder = new("digest-plan");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_inventory_row_and_the_table_entry_it_describes_have_one_digest()
    {
        const long seed = 12345;
        var key = "docs/sub dir/日本 + 😀.txt";
        var entry = new ObjectEntry(key, 42, "0CC175B9C0F1B6A831C399E269772661", Modified, "Standard", [], []);
        var row = Digest(new SourceObject(key, 42, "0cc175b9c0f1b6a831c399e269772661", Modified.ToOffset(TimeSpan.FromHours(8)), "IA"), seed);

        Assert.Equal(ObjectDigest.Of(entry, seed), row);
        Assert.NotEqual(row.Version, Digest(new SourceObject(key, 43, "0cc175b9c0f1b6a831c399e269772661", Modified, "IA"), seed).Version);
        Assert.NotEqual(row.Version, Digest(new SourceObject(key, 42, "0cc175b9c0f1b6a831c399e269772662", Modified, "IA"), seed).Version);
        Assert.NotEqual(row.Version, Digest(new SourceObject(key, 42, "0cc175b9c0f1b6a831c399e269772661", Modified.AddSeconds(1), "IA"), seed).Version);
        Assert.True(Digest(new SourceObject(key + "x", 42, "0cc175b9c0f1b6a831c399e269772661", Modified, "IA"), seed).CompareKeyTo(row) != 0);
        var otherSeed = Digest(new SourceObject(key, 42, "0cc175b9c0f1b6a831c399e269772661", Modified, "IA"), seed + 1);
        Assert.False(otherSeed.SameKeyAs(row));
    }

    [Fact]
    public async Task A_table_entry_read_back_lazily_has_the_digest_it_was_written_with()
    {
        var entries = Enumerable.Range(0, 300).Select(i => new ObjectEntry($"k/{i:D4} é", i, $"etag-{i}-AbC", Modified.AddMinutes(i), "Standard", [new("Content-Type", "text/plain")], [])).ToList();
        var (vault, segments) = await WriteTableAsync(entries);
        using var reader = vault.NewBlobReader();
        var read = await TableReader.ReadAsync(reader, segments, null, CancellationToken.None).ToListAsync();

        Assert.Equal(entries.Select(e => ObjectDigest.Of(e, 7)), read.Select(e => ObjectDigest.Of(e, 7)));
        Assert.True(read[0].EncodedAsRead.Length > 0);
    }

    [Fact]
    public void A_digest_file_opens_only_as_the_whole_digest_of_its_own_point()
    {
        var path = PointDigestFile.PathFor(_folder.Combine("cache"), "vault-id", "0011223344556677");
        using (var writer = new PointDigestFile.Writer(_folder.Combine("tmp"), 99))
        {
            for (var i = 0; i < 10_000; i++)
            {
                writer.Add(new ObjectDigest((ulong)i, (ulong)i * 3, (ulong)i * 7));
            }
            writer.Complete("0011223344556677", path);
        }
        Assert.Empty(Directory.GetFiles(_folder.Combine("tmp")));

        var file = PointDigestFile.TryOpen(path, "0011223344556677", 10_000)!;
        Assert.Equal(99, file.Seed);
        var records = new List<ObjectDigest>();
        file.ReadAll(block =>
        {
            for (var at = 0; at < block.Length; at += ObjectDigest.Size)
            {
                records.Add(ObjectDigest.Read(block[at..]));
            }
        });
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => new ObjectDigest((ulong)i, (ulong)i * 3, (ulong)i * 7)), records);

        Assert.Null(PointDigestFile.TryOpen(path, "8899aabbccddeeff", 10_000));
        Assert.Null(PointDigestFile.TryOpen(path, "0011223344556677", 9_999));
        Assert.Null(PointDigestFile.TryOpen(path + ".missing", "0011223344556677", 10_000));

        var bytes = File.ReadAllBytes(path);
        bytes[PointDigestFile.HeaderSize + (5_000 * ObjectDigest.Size) + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var damaged = PointDigestFile.TryOpen(path, "0011223344556677", 10_000)!;
        var error = Assert.Throws<DamagedDigestException>(() => damaged.ReadAll(_ => { }));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..^1]);
        Assert.Null(PointDigestFile.TryOpen(path, "0011223344556677", 10_000));
    }

    [Theory]
    [InlineData(1, 1L, 0L)]
    [InlineData(2, 1L, 0L)]
    [InlineData(2, 100_000_000L, 0L)]
    [InlineData(3, 3_000_000L, 0L)]
    [InlineData(2, 1L, 4096L)]
    [InlineData(2, 3_000_000L, 2048L)]
    public async Task A_plan_from_digests_takes_the_same_steps_as_the_sorted_merge_join(int lanes, long expectedRows, long maxPartitionBytes)
    {
        var (previous, inventory) = Scenario(seed: 17 + lanes);
        var (vault, segments) = await WriteTableAsync(previous);
        static bool Accepts(string key) => !key.Contains("/skip", StringComparison.Ordinal);

        var expected = await SortedPlanAsync(vault, segments, inventory, Accepts);
        // A small partition limit makes the join split partitions (the rows were underestimated), down to two levels.
        var (actual, warnings) = await DigestPlanAsync(vault, segments, previous, inventory, Accepts, lanes, expectedRows, maxPartitionBytes);

        Assert.Empty(warnings);
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.Counters, actual.Counters);
        Assert.Contains(expected.Steps, s => s.Action == PlanAction.Skip && s.BeforeKey is not null);
        Assert.Contains(expected.Steps, s => s.Action == PlanAction.Read && s.BeforeKey is null);
        Assert.True(expected.Counters.Deleted > 0);
    }

    [Fact]
    public async Task Repeated_rows_are_planned_once_from_the_first_and_reported()
    {
        var previous = Enumerable.Range(0, 50).Select(i => Entry($"a/{i:D3}", 0)).ToList();
        var (vault, segments) = await WriteTableAsync(previous);
        var rows = previous.Select(e => Row(e.Key, 0)).ToList();
        rows.Add(Row("a/007", 0));
        rows.Add(Row("b/new", 0));
        rows.Add(Row("b/new", 0));

        var (plan, warnings) = await DigestPlanAsync(vault, segments, previous, rows, _ => true, lanes: 1, expectedRows: 1);

        Assert.Equal(51, plan.Counters.Scanned);
        Assert.Equal(50, plan.Counters.Unchanged);
        Assert.Equal(1, plan.Counters.ToRead);
        Assert.Equal(0, plan.Counters.Deleted);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("'a/007' more than once", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("'b/new' more than once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_damaged_digest_stops_the_join_before_it_yields_a_plan()
    {
        var previous = Enumerable.Range(0, 2000).Select(i => Entry($"a/{i:D5}", 0)).ToList();
        var path = WriteDigest(previous, "00000000000000aa", 5);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 1;
        File.WriteAllBytes(path, bytes);
        var digests = PointDigestFile.TryOpen(path, "00000000000000aa", previous.Count)!;

        await using var join = new DigestJoin(_folder.Combine("join-damaged"), digests.Seed, 1, 1, null, ExternalSortOptions.Default, "test inventory", _ => { });
        Assert.Throws<DamagedDigestException>(() => join.AddPrevious(digests));
    }

    [Fact]
    public async Task Two_previous_objects_with_one_key_digest_stop_the_join_and_name_the_cache_to_delete()
    {
        var path = PointDigestFile.PathFor(_folder.Combine("digests"), "vault", "00000000000000bb");
        using (var writer = new PointDigestFile.Writer(_folder.Combine("digest-tmp"), 9))
        {
            writer.Add(new ObjectDigest(1, 2, 3));
            writer.Add(new ObjectDigest(1, 2, 4));
            writer.Complete("00000000000000bb", path);
        }
        var digests = PointDigestFile.TryOpen(path, "00000000000000bb", 2)!;
        await using var join = new DigestJoin(_folder.Combine("join-collision"), digests.Seed, 1, 1, null, ExternalSortOptions.Default, "test inventory", _ => { });
        join.AddPrevious(digests);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => join.JoinAsync(1, CancellationToken.None));

        Assert.Contains("same 128-bit key digest", error.Message, StringComparison.Ordinal);
        Assert.Contains("digest cache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_from_a_digest_that_does_not_describe_the_table_fail_before_the_last_step()
    {
        var previous = Enumerable.Range(0, 500).Select(i => Entry($"a/{i:D4}", 0)).ToList();
        var (vault, segments) = await WriteTableAsync(previous);
        // A digest of another point: the first 400 objects only.
        var pointId = "00000000000000cc";
        var digests = PointDigestFile.TryOpen(WriteDigest(previous.Take(400), pointId, 5), pointId, 400)!;
        await using var join = new DigestJoin(_folder.Combine("join-mismatch"), digests.Seed, 1, 1, null, ExternalSortOptions.Default, "test inventory", _ => { });
        join.AddPrevious(digests);
        var record = new BinaryWriterBuffer();
        var consume = join.ConsumerForLane(0, _ => true);
        foreach (var entry in previous)
        {
            record.Clear();
            SourceObjectCodec.Instance.Write(record, Row(entry.Key, 0));
            await consume(record.WrittenSpan, SourceObjectCodec.ReadVersionFields(record.WrittenSpan));
        }
        await using var plan = await join.JoinAsync(1, CancellationToken.None);
        using var reader = vault.NewBlobReader();

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in BackupPlanner.PlanFromDigestsAsync(plan, TableReader.ReadAsync(reader, segments, null, CancellationToken.None), "backup point x", _ => true, new PlanCounters(), CancellationToken.None))
            {
            }
        });

        Assert.Contains("does not match its table (400 digests, 500 entries", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A previous point and an inventory of it after a day: most unchanged (some with the ETag in another case),
    /// changed in size, ETag or time, deleted, new, Archive objects new, changed and unchanged, keys the filter
    /// excludes, and awkward keys.
    /// </summary>
    private static (List<ObjectEntry> Previous, List<SourceObject> Inventory) Scenario(int seed)
    {
        var random = new Random(seed);
        var previous = new List<ObjectEntry>();
        var inventory = new List<SourceObject>();
        for (var i = 0; i < 3000; i++)
        {
            var key = (i % 13) switch
            {
                0 => $"unicode/日本 {i} 😀.txt",
                1 => $"odd/{i} + 100%.txt",
                2 => $"data/skip/{i}.bin",
                _ => $"data/{i / 100:D2}/object-{i:D5}.bin",
            };
            var fate = random.Next(100);
            var storageClass = random.Next(20) == 0 ? "Archive" : "Standard";
            if (fate < 4)
            {
                inventory.Add(new SourceObject(key, i, $"{i:x32}", Modified, storageClass));
                continue;
            }
            var entry = new ObjectEntry(key, i, $"{i:x32}", Modified, "Standard", [], []);
            previous.Add(entry);
            if (fate < 9)
            {
                continue;
            }
            var etag = fate < 30 ? entry.ETag.ToUpperInvariant() : entry.ETag;
            inventory.Add(fate switch
            {
                < 12 => new SourceObject(key, i + 1, etag, Modified, storageClass),
                < 15 => new SourceObject(key, i, $"{i + 1:x32}", Modified, storageClass),
                < 18 => new SourceObject(key, i, etag, Modified.AddSeconds(1), storageClass),
                _ => new SourceObject(key, i, etag, Modified.ToOffset(TimeSpan.FromHours(-5)), storageClass),
            });
        }
        previous.Sort((a, b) => KeyOrder.Instance.Compare(a.Key, b.Key));
        return (previous, inventory.OrderBy(_ => random.Next()).ToList());
    }

    private sealed record PlanResult(List<(PlanAction Action, string Key, string? BeforeKey, string? ETag)> Steps, (long Scanned, long ScannedBytes, long Unchanged, long ToRead, long ToReadBytes, long Skipped, long Deleted) Counters);

    private static PlanResult Result(List<PlanStep> steps, PlanCounters counters) => new(
        // An unchanged step of a digest plan carries no scanned object (the row is known to describe Before).
        [.. steps.Select(s => (s.Action, s.Item?.Key ?? s.Before!.Key, s.Before?.Key, s.Action == PlanAction.Unchanged ? null : s.Item!.ETag))],
        (counters.Scanned, counters.ScannedBytes, counters.Unchanged, counters.ToRead, counters.ToReadBytes, counters.Skipped, counters.Deleted));

    private async Task<PlanResult> SortedPlanAsync(VaultRepository vault, IReadOnlyList<TableSegmentRef> segments, List<SourceObject> inventory, Func<string, bool> accepts)
    {
        await using var sorter = new ExternalSorter<SourceObject>(SourceObjectCodec.Instance, _folder.Combine($"sort-{Guid.NewGuid():N}"));
        foreach (var row in inventory)
        {
            await sorter.AddAsync(row);
        }
        using var reader = vault.NewBlobReader();
        var counters = new PlanCounters();
        var steps = await BackupPlanner.PlanAsync(sorter.SortAsync(), "test", TableReader.ReadAsync(reader, segments, null, CancellationToken.None), accepts, counters, CancellationToken.None).ToListAsync();
        return Result(steps, counters);
    }

    private async Task<(PlanResult Plan, List<string> Warnings)> DigestPlanAsync(VaultRepository vault, IReadOnlyList<TableSegmentRef> segments, List<ObjectEntry> previous,
        List<SourceObject> inventory, Func<string, bool> accepts, int lanes, long expectedRows, long maxPartitionBytes = 0)
    {
        var pointId = $"{Guid.NewGuid():N}"[..16];
        var digests = PointDigestFile.TryOpen(WriteDigest(previous, pointId, 4242), pointId, previous.Count)!;
        var warnings = new List<string>();
        var folder = _folder.Combine($"join-{pointId}");
        await using var join = new DigestJoin(folder, digests.Seed, expectedRows, lanes, accepts, ExternalSortOptions.Default, "test inventory", warnings.Add)
        {
            MaxPartitionBytes = maxPartitionBytes > 0 ? maxPartitionBytes : 48L << 20,
        };
        join.AddPrevious(digests);
        var consumers = Enumerable.Range(0, lanes).Select(lane => join.ConsumerForLane(lane, _ => true)).ToList();
        var record = new BinaryWriterBuffer();
        for (var i = 0; i < inventory.Count; i++)
        {
            record.Clear();
            SourceObjectCodec.Instance.Write(record, inventory[i]);
            await consumers[i % lanes](record.WrittenSpan, SourceObjectCodec.ReadVersionFields(record.WrittenSpan));
        }
        await using var plan = await join.JoinAsync(lanes, CancellationToken.None);
        Assert.Empty(Directory.GetDirectories(folder, "split-*"));
        Assert.Equal(maxPartitionBytes > 0, join.PartitionsSplit > 1);
        using var reader = vault.NewBlobReader();
        var counters = new PlanCounters();
        var steps = await BackupPlanner.PlanFromDigestsAsync(plan, TableReader.ReadAsync(reader, segments, null, CancellationToken.None), "test point", accepts, counters, CancellationToken.None).ToListAsync();
        Assert.Equal(plan.Counts.Unchanged, counters.Unchanged);
        Assert.Equal(plan.Counts.New + plan.Counts.Changed, counters.ToRead);
        Assert.Equal(plan.Counts.Skipped, counters.Skipped);
        return (Result(steps, counters), warnings);
    }

    private string WriteDigest(IEnumerable<ObjectEntry> entries, string pointId, long seed)
    {
        var path = PointDigestFile.PathFor(_folder.Combine("digests"), "vault", pointId);
        using var writer = new PointDigestFile.Writer(_folder.Combine("digest-tmp"), seed);
        foreach (var entry in entries)
        {
            writer.Add(ObjectDigest.Of(entry, seed));
        }
        writer.Complete(pointId, path);
        return path;
    }

    private async Task<(VaultRepository Vault, IReadOnlyList<TableSegmentRef> Segments)> WriteTableAsync(IEnumerable<ObjectEntry> entries)
    {
        var vault = await VaultRepository.CreateAsync(new FileBlobStore(_folder.Combine($"vault-{Guid.NewGuid():N}")), CancellationToken.None);
        await using var sink = new SharedPackSink(vault, _folder.Combine($"packs-{Guid.NewGuid():N}"));
        var table = new TableWriter(sink, new BlobIndex());
        foreach (var entry in entries)
        {
            await table.AddAsync(entry, CancellationToken.None);
        }
        var segments = await table.CompleteAsync(CancellationToken.None);
        await vault.WriteIndexAsync(await sink.CompleteAsync(CancellationToken.None), CancellationToken.None);
        return (vault, segments);
    }

    private static ObjectEntry Entry(string key, int version) => new(key, 100 + version, $"etag-{key}-{version}", Modified, "Standard", [], []);

    private static SourceObject Row(string key, int version) => new(key, 100 + version, $"etag-{key}-{version}", Modified, "Standard");

    private static ObjectDigest Digest(SourceObject row, long seed)
    {
        var record = new BinaryWriterBuffer();
        SourceObjectCodec.Instance.Write(record, row);
        var fields = SourceObjectCodec.ReadVersionFields(record.WrittenSpan);
        Assert.Equal(row.Key, Encoding.UTF8.GetString(fields.Key));
        return ObjectDigest.Of(fields.Key, fields.Size, fields.UtcTicks, fields.ETag, seed);
    }
}
