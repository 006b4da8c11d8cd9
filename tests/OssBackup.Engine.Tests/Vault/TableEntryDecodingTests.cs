using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>
/// Entries read from a table decode their ETag, metadata and chunks on first access, and go into the next
/// table as the bytes they were read from: none of that may change what a reader or writer sees.
/// </summary>
public sealed class TableEntryDecodingTests : IDisposable
{
    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private readonly TempFolder _folder = new("table-decoding");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_entry_decoded_on_access_equals_the_entry_that_was_written_field_by_field()
    {
        var written = Awkward();

        var read = Decode(written);

        Assert.Equal(written.Count, read.Count);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].Key, read[i].Key);
            Assert.Equal(written[i].Size, read[i].Size);
            Assert.Equal(written[i].ETag, read[i].ETag);
            Assert.Equal(written[i].LastModified, read[i].LastModified);
            Assert.Equal(written[i].StorageClass, read[i].StorageClass);
            Assert.Equal(written[i].Metadata, read[i].Metadata);
            Assert.Equal(written[i].Chunks, read[i].Chunks);
            Assert.Equal(written[i], read[i]);
            Assert.Equal(written[i].GetHashCode(), read[i].GetHashCode());
        }
    }

    [Fact]
    public void Chunks_decode_right_when_metadata_was_never_asked_for_and_the_content_type_without_decoding_the_rest()
    {
        var written = Awkward();

        var read = Decode(written);

        Assert.Equal(written.Select(e => e.Chunks), read.Select(e => e.Chunks));
        Assert.Equal(written.Select(e => e.ContentType), Decode(written).Select(e => e.ContentType));
        Assert.Contains(read, e => e.ContentType is not null);
        Assert.Contains(read, e => e.ContentType is null);
    }

    [Fact]
    public void Comparing_versions_before_the_etag_is_decoded_ignores_case_like_the_decoded_etag()
    {
        var written = new[]
        {
            Entry("a", etag: "0123456789ABCDEF0123456789abcdef"),
            Entry("b", etag: "d41d8cd98f00b204e9800998ecf8427e-12"),
            Entry("c", etag: "\u00C9tag-\u00E9t\u00E9"),
        };

        var read = Decode(written);

        Assert.True(read[0].SameVersionAs(7, "0123456789abcdef0123456789ABCDEF", Modified));
        Assert.False(read[0].SameVersionAs(7, "0123456789abcdef0123456789ABCDEE", Modified));
        Assert.False(read[0].SameVersionAs(7, "0123456789abcdef0123456789ABCDEF0", Modified));
        Assert.False(read[0].SameVersionAs(8, "0123456789abcdef0123456789ABCDEF", Modified));
        Assert.False(read[0].SameVersionAs(7, "0123456789abcdef0123456789ABCDEF", Modified.AddMilliseconds(1)));
        Assert.True(read[1].SameVersionAs(7, "D41D8CD98F00B204E9800998ECF8427E-12", Modified));
        Assert.True(read[2].SameVersionAs(7, "\u00C9TAG-\u00C9T\u00C9", Modified));
        Assert.False(read[2].SameVersionAs(7, "ETAG-ETE", Modified));
        Assert.Equal(written.Select(e => e.ETag), read.Select(e => e.ETag));
    }

    [Fact]
    public void Threads_asking_for_an_entrys_chunks_and_metadata_at_once_all_get_the_same_lists()
    {
        var written = Awkward().Where(e => e.Chunks.Count > 0 && e.Metadata.Count > 0).ToList();
        const int Threads = 4;
        const int Rounds = 20;
        var chunks = new IReadOnlyList<BlobLocation>[Threads][];
        var metadata = new IReadOnlyList<KeyValuePair<string, string>>[Threads][];
        var etags = new string[Threads][];
        using var start = new Barrier(Threads);

        for (var round = 0; round < Rounds; round++)
        {
            // Fresh entries each round, so every round races on first accesses.
            var read = Decode(written);
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                chunks[t] = new IReadOnlyList<BlobLocation>[read.Count];
                metadata[t] = new IReadOnlyList<KeyValuePair<string, string>>[read.Count];
                etags[t] = new string[read.Count];
                start.SignalAndWait();
                for (var i = 0; i < read.Count; i++)
                {
                    chunks[t][i] = read[i].Chunks;
                    metadata[t][i] = read[i].Metadata;
                    etags[t][i] = read[i].ETag;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            for (var i = 0; i < read.Count; i++)
            {
                Assert.Equal(written[i].Chunks, chunks[0][i]);
                Assert.Equal(written[i].Metadata, metadata[0][i]);
                for (var t = 1; t < Threads; t++)
                {
                    Assert.Same(chunks[0][i], chunks[t][i]);
                    Assert.Same(metadata[0][i], metadata[t][i]);
                    Assert.Same(etags[0][i], etags[t][i]);
                }
                Assert.Same(chunks[0][i], read[i].Chunks);
            }
        }
    }

    [Fact]
    public async Task A_table_read_back_and_written_again_is_the_same_segments_byte_for_byte()
    {
        var store = new FileBlobStore(_folder.Combine("vault"));
        var written = TableWriterTests.MakeEntries(20_000, seed: 5);
        await using var pack = new PackWriter(store, _folder.Combine("scratch"), compressionLevel: 3);
        var original = await WriteAsync(new TableWriter(pack, new BlobIndex()), written);
        await pack.SealAsync(CancellationToken.None);
        using var reader = new BlobReader(store);
        await using var copyPack = new PackWriter(store, _folder.Combine("scratch"), compressionLevel: 3);
        var copyIndex = new BlobIndex();

        var copy = await WriteAsync(new TableWriter(copyPack, copyIndex), TableReader.ReadAsync(reader, original, null, CancellationToken.None).ToBlockingEnumerable());

        Assert.Equal(original.Select(s => (s.Blob.Id, s.Blob.RawLength, s.Count, s.FirstKey, s.LastKey)),
            copy.Select(s => (s.Blob.Id, s.Blob.RawLength, s.Count, s.FirstKey, s.LastKey)));
        Assert.Equal(copy.Count, copyIndex.AddedCount);
    }

    [Fact]
    public async Task A_table_carried_over_with_changes_gets_the_segments_of_the_same_entries_written_afresh_and_reads_back_verified()
    {
        var store = new FileBlobStore(_folder.Combine("vault"));
        var written = TableWriterTests.MakeEntries(50_000, seed: 6);
        await using var pack = new PackWriter(store, _folder.Combine("scratch"), compressionLevel: 3);
        var original = await WriteAsync(new TableWriter(pack, new BlobIndex()), written);
        await pack.SealAsync(CancellationToken.None);
        Assert.True(original.Count >= 6, $"expected several segments, got {original.Count}");
        var starts = original.Select(s => (int)s.Count).Prepend(0).SkipLast(1).ToList();
        for (var i = 1; i < starts.Count; i++)
        {
            starts[i] += starts[i - 1];
        }
        // Whole segments repeated, a segment's first and last entries gone, one changed, one added.
        var dropped = new HashSet<int> { starts[1], starts[3] - 1 };
        var changedAt = starts[4] + 7;
        var addedAfter = starts[5] + 3;
        ObjectEntry Added(ObjectEntry after) => after with { Key = after.Key + "\u0001", Size = 1 };
        IEnumerable<ObjectEntry> Modify(IEnumerable<ObjectEntry> entries) => entries.SelectMany((entry, i) =>
            dropped.Contains(i) ? []
            : i == changedAt ? [entry with { Size = entry.Size + 1 }]
            : i == addedAfter ? [entry, Added(entry)]
            : new[] { entry });
        using var reader = new BlobReader(store);
        await using var copyPack = new PackWriter(store, _folder.Combine("scratch"), compressionLevel: 3);
        await using var freshPack = new PackWriter(new FileBlobStore(_folder.Combine("fresh")), _folder.Combine("scratch"), compressionLevel: 3);

        var copy = await WriteAsync(new TableWriter(copyPack, new BlobIndex()), Modify(TableReader.ReadAsync(reader, original, null, CancellationToken.None).ToBlockingEnumerable()));

        var fresh = await WriteAsync(new TableWriter(freshPack, new BlobIndex()), Modify(written));
        Assert.Equal(fresh.Select(s => (s.Blob.Id, s.Count, s.FirstKey, s.LastKey)), copy.Select(s => (s.Blob.Id, s.Count, s.FirstKey, s.LastKey)));
        Assert.Contains(original[0].Blob.Id, copy.Select(s => s.Blob.Id));
        Assert.DoesNotContain(original[1].Blob.Id, copy.Select(s => s.Blob.Id));
        await copyPack.SealAsync(CancellationToken.None);
        using var copyReader = new BlobReader(store);
        Assert.Equal(Modify(written).ToList(), TableReader.ReadAsync(copyReader, copy, null, CancellationToken.None).ToBlockingEnumerable().ToList());
    }

    [Fact]
    public async Task A_segment_carried_over_whole_takes_its_id_from_the_segment_it_was_read_from_and_a_partial_one_is_hashed()
    {
        var entries = TableWriterTests.MakeEntries(100, seed: 7);
        var plaintext = Segment(entries);
        // An id no hash gives: only trusting the segment read can produce it.
        var trusted = new TableSegmentRef(new BlobLocation(BlobId.Of("not these bytes"u8), default, 0, 0, plaintext.Length, BlobCompression.None), entries.Count, entries[0].Key, entries[^1].Key);
        var read = new List<ObjectEntry>();
        TableSegmentCodec.ReadEntries(plaintext, TableSegmentCodec.Magic.Length, int.MaxValue, new Utf8StringCache(), new EntryBytesSlabs(), trusted, 0, read);
        await using var pack = new PackWriter(new FileBlobStore(_folder.Combine("vault")), _folder.Combine("scratch"), compressionLevel: 3);

        var whole = await WriteAsync(new TableWriter(pack, new BlobIndex()), read);
        var partial = await WriteAsync(new TableWriter(pack, new BlobIndex()), read.Skip(1));
        var copied = await WriteAsync(new TableWriter(pack, new BlobIndex()), read.Take(50).Append(read[50] with { }).Concat(read.Skip(51)));
        var changed = await WriteAsync(new TableWriter(pack, new BlobIndex()), read.Take(50).Append(read[50] with { Size = read[50].Size }).Concat(read.Skip(51)));

        Assert.Equal(trusted.Blob.Id, Assert.Single(whole).Blob.Id);
        Assert.Equal(BlobId.Of(Segment(entries.Skip(1))), Assert.Single(partial).Blob.Id);
        Assert.Equal(trusted.Blob.Id, Assert.Single(copied).Blob.Id);
        Assert.Equal(BlobId.Of(plaintext), Assert.Single(changed).Blob.Id);
    }

    [Fact]
    public void An_unchanged_entry_is_written_as_the_bytes_it_was_read_from_and_those_equal_encoding_it_afresh()
    {
        var written = Awkward();
        var read = Decode(written);

        for (var i = 0; i < written.Count; i++)
        {
            var fresh = Encode([written[i]]);
            var copied = Encode([read[i]]);
            Assert.Equal(fresh, read[i].EncodedAsRead.ToArray());
            Assert.Equal(fresh, copied);
        }
    }

    [Fact]
    public void Replacing_a_property_of_a_decoded_entry_writes_the_new_value_and_keeps_the_rest()
    {
        var written = Awkward().First(e => e.Chunks.Count > 1 && e.Metadata.Count > 1);
        var read = Decode([written])[0];

        var changed = new[]
        {
            read with { Key = read.Key + "x" },
            read with { Size = read.Size + 1 },
            read with { ETag = "ffffffffffffffffffffffffffffffff" },
            read with { LastModified = read.LastModified.AddSeconds(1) },
            read with { StorageClass = "IA" },
            read with { Metadata = [new("Content-Type", "text/x-changed")] },
            read with { Chunks = read.Chunks.Take(1).ToArray() },
        };

        var expected = new[]
        {
            written with { Key = written.Key + "x" },
            written with { Size = written.Size + 1 },
            written with { ETag = "ffffffffffffffffffffffffffffffff" },
            written with { LastModified = written.LastModified.AddSeconds(1) },
            written with { StorageClass = "IA" },
            written with { Metadata = [new("Content-Type", "text/x-changed")] },
            written with { Chunks = written.Chunks.Take(1).ToArray() },
        };
        for (var i = 0; i < changed.Length; i++)
        {
            Assert.True(changed[i].EncodedAsRead.IsEmpty);
            Assert.Equal(Encode([expected[i]]), Encode([changed[i]]));
            Assert.Equal(expected[i], Decode([changed[i]])[0]);
        }
        Assert.False(read.EncodedAsRead.IsEmpty);
    }

    [Fact]
    public void A_segment_cut_short_inside_an_entrys_chunks_fails_when_read_not_when_the_chunks_are_asked_for()
    {
        var plaintext = Segment([Entry("a", chunks: 2), Entry("b", chunks: 3)]);

        var error = Assert.Throws<InvalidDataException>(() => TableSegmentCodec.ReadSegment(plaintext.AsSpan(0, plaintext.Length - 5), default));

        Assert.Contains("Truncated", error.Message, StringComparison.Ordinal);
    }

    private static List<ObjectEntry> Awkward()
    {
        var entries = TableWriterTests.MakeEntries(2_000, seed: 9);
        entries.Add(Entry("\uFFFF last", etag: "", chunks: 0) with { Metadata = [new("x-amz-meta-\u540D", "\u503C \U0001F600"), new("content-type", "")] });
        return entries;
    }

    private static ObjectEntry Entry(string key, string etag = "etag", int chunks = 1) =>
        new(key, 7, etag, Modified, "STANDARD", [], Enumerable.Range(0, chunks)
            .Select(i => new BlobLocation(BlobId.Of(TestData.RandomBytes(4, i)), PackId.Read(TestData.RandomBytes(PackId.Size, i)), 300 * i, 200, 400, BlobCompression.Zstd))
            .ToArray());

    private static byte[] Encode(IEnumerable<ObjectEntry> entries)
    {
        var buffer = new BinaryWriterBuffer();
        foreach (var entry in entries)
        {
            TableSegmentCodec.WriteEntry(buffer, entry);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Segment(IEnumerable<ObjectEntry> entries) => [.. TableSegmentCodec.Magic, .. Encode(entries)];

    private static List<ObjectEntry> Decode(IEnumerable<ObjectEntry> entries) => TableSegmentCodec.ReadSegment(Segment(entries), default);

    private static async Task<IReadOnlyList<TableSegmentRef>> WriteAsync(TableWriter table, IEnumerable<ObjectEntry> entries)
    {
        foreach (var entry in entries)
        {
            await table.AddAsync(entry, CancellationToken.None);
        }
        return await table.CompleteAsync(CancellationToken.None);
    }
}
