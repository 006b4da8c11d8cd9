using System.Text;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Util;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

public sealed class SourceObjectCodecTests
{
    [Fact]
    public void Every_field_round_trips_exactly()
    {
        SourceObject[] objects =
        [
            new("a", 0, "", DateTimeOffset.MinValue, ""),
            new("dir/😀/\uE000\uFFFF", long.MaxValue, "\"0123456789ABCDEF0123456789ABCDEF-12\"", new DateTimeOffset(2024, 2, 29, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(1234), "Standard"),
            new("x", -1, "etag", new DateTimeOffset(2001, 1, 1, 5, 30, 0, TimeSpan.FromHours(5.5)), "SomeNewClass"),
            new("y", 42, "e", DateTimeOffset.MaxValue, "DEEP_ARCHIVE"),
            new(new string('k', 2000), 1L << 40, "e", new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.FromHours(-8)), "IA"),
        ];
        var buffer = new BinaryWriterBuffer();
        foreach (var item in objects)
        {
            SourceObjectCodec.Instance.Write(buffer, item);
        }

        var reader = new BinarySpanReader(buffer.WrittenSpan);
        foreach (var item in objects)
        {
            var back = SourceObjectCodec.Instance.Read(ref reader);
            Assert.Equal(item, back);
            Assert.Equal(item.LastModified.Offset, back.LastModified.Offset);
            Assert.Equal(item.LastModified.UtcTicks, back.LastModified.UtcTicks);
        }
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_record_written_from_bytes_equals_the_record_of_the_object()
    {
        var random = new Random(3);
        for (var i = 0; i < 2_000; i++)
        {
            var item = new SourceObject(AwkwardKeys.Next(random), random.NextInt64(0, long.MaxValue), AwkwardKeys.Next(random, 3),
                new DateTimeOffset(random.NextInt64(0, DateTime.MaxValue.Ticks), TimeSpan.Zero), i % 2 == 0 ? "Standard" : AwkwardKeys.Next(random, 2));
            var fromObject = new BinaryWriterBuffer();
            SourceObjectCodec.Instance.Write(fromObject, item);
            var fromBytes = new BinaryWriterBuffer();

            SourceObjectCodec.WriteRecord(fromBytes, Encoding.UTF8.GetBytes(item.Key), item.Size, item.LastModified,
                Encoding.UTF8.GetBytes(item.ETag), Encoding.UTF8.GetBytes(item.StorageClass));

            Assert.Equal(fromObject.WrittenSpan.ToArray(), fromBytes.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void Invalid_utf8_in_an_etag_or_storage_class_reads_as_a_lenient_decoder_would()
    {
        byte[] invalid = [0x61, 0xFF, 0xC3];
        var buffer = new BinaryWriterBuffer();

        SourceObjectCodec.WriteRecord(buffer, "k"u8, 1, DateTimeOffset.UnixEpoch, invalid, invalid);

        var reader = new BinarySpanReader(buffer.WrittenSpan);
        var back = SourceObjectCodec.Instance.Read(ref reader);
        Assert.Equal(Encoding.UTF8.GetString(invalid), back.ETag);
        Assert.Equal(Encoding.UTF8.GetString(invalid), back.StorageClass);
    }

    [Fact]
    public void Well_known_storage_classes_decode_to_one_shared_string()
    {
        var buffer = new BinaryWriterBuffer();
        SourceObjectCodec.Instance.Write(buffer, new SourceObject("a", 1, "e", DateTimeOffset.UnixEpoch, new string("Standard".ToCharArray())));
        SourceObjectCodec.Instance.Write(buffer, new SourceObject("b", 1, "e", DateTimeOffset.UnixEpoch, new string("Standard".ToCharArray())));

        var reader = new BinarySpanReader(buffer.WrittenSpan);
        var first = SourceObjectCodec.Instance.Read(ref reader);
        var second = SourceObjectCodec.Instance.Read(ref reader);

        Assert.Same(first.StorageClass, second.StorageClass);
    }

    [Fact]
    public void The_sort_key_is_the_keys_utf8_bytes_and_orders_like_key_order()
    {
        var keys = AwkwardKeys.Distinct(2_000, seed: 21).Append(new string('x', 300)).ToList();
        var sortKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var buffer = new BinaryWriterBuffer();
            SourceObjectCodec.Instance.Write(buffer, SortTestData.Object(key, 1));
            var (offset, length) = SourceObjectCodec.Instance.LocateSortKey(buffer.WrittenSpan);
            sortKeys[key] = buffer.WrittenSpan.Slice(offset, length).ToArray();
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(key), sortKeys[key]);
        }

        var byBytes = keys.OrderBy(k => sortKeys[k], Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));

        Assert.Equal(keys.Order(KeyOrder.Instance), byBytes);
    }

    [Fact]
    public void A_key_with_a_lone_surrogate_is_refused_rather_than_mangled()
    {
        var buffer = new BinaryWriterBuffer();

        var error = Assert.Throws<InvalidDataException>(() =>
            SourceObjectCodec.Instance.Write(buffer, SortTestData.Object("bad\uD800key", 1)));

        Assert.Contains("Unicode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_object_order_is_key_order()
    {
        var keys = AwkwardKeys.Distinct(2_000, seed: 20);
        var objects = SortTestData.Objects(keys);

        Assert.Equal(keys.Order(KeyOrder.Instance), objects.Order(SourceObjectKeyOrder.Instance).Select(o => o.Key));
    }
}
