using System.Text;
using OssBackup.Engine.Planning;

namespace OssBackup.Engine.Tests.Planning;

public sealed class RecordBufferTests
{
    /// <summary>Byte order, the order a sort key defines, as plainly as it can be written.</summary>
    private static readonly Comparer<byte[]> ByteOrder = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_keys_sort_into_byte_order(int seed)
    {
        var random = new Random(seed);
        var keys = Enumerable.Range(0, 20_000).Select(_ => RandomBytes(random, random.Next(0, 30), alphabet: 256)).ToList();

        AssertSortsLikeReference(keys);
    }

    [Fact]
    public void Keys_that_share_long_prefixes_and_differ_anywhere_sort_into_byte_order()
    {
        var random = new Random(4);
        var prefixes = new[] { "logs/app-server-07/2024/03/15/access-", "data/warehouse/events/dt=2024-03-15/part-", "logs/app-server-07/2024/03/1" };
        var keys = Enumerable.Range(0, 20_000)
            .Select(_ => Encoding.UTF8.GetBytes(prefixes[random.Next(prefixes.Length)] + random.Next(0, 3000).ToString("D10") + (random.Next(3) == 0 ? ".log.gz" : "")))
            .ToList();

        AssertSortsLikeReference(keys);
    }

    [Fact]
    public void Keys_that_are_prefixes_of_each_other_or_hold_zero_bytes_sort_shortest_first()
    {
        var random = new Random(5);
        var keys = new List<byte[]>();
        // lengths around every 7-byte word boundary, made of 0 and 1 bytes so that zero padding and real zeros meet
        for (var i = 0; i < 5_000; i++)
        {
            keys.Add(RandomBytes(random, random.Next(0, 24), alphabet: 2));
        }
        keys.Add([]);
        keys.Add([0]);
        keys.Add([0, 0, 0, 0, 0, 0, 0]);
        keys.Add([0, 0, 0, 0, 0, 0, 0, 0]);

        AssertSortsLikeReference(keys);
    }

    [Fact]
    public void Duplicates_and_unicode_keys_sort_into_code_point_order()
    {
        var random = new Random(6);
        var distinct = AwkwardKeys.Distinct(3_000, seed: 6);
        var keys = Enumerable.Range(0, 12_000).Select(_ => Encoding.UTF8.GetBytes(distinct[random.Next(distinct.Count)])).ToList();

        AssertSortsLikeReference(keys);
    }

    [Fact]
    public void A_key_word_orders_like_the_key_bytes_it_covers()
    {
        Assert.True(RecordBuffer.KeyWord("ab"u8, 0) < RecordBuffer.KeyWord("ab\0"u8, 0));
        Assert.True(RecordBuffer.KeyWord("abcdefg"u8, 0) < RecordBuffer.KeyWord("abcdefgh"u8, 0));
        Assert.Equal(RecordBuffer.KeyWord("abcdefgh"u8, 0), RecordBuffer.KeyWord("abcdefgz"u8, 0));
        Assert.True(RecordBuffer.KeyWord("xabcdefgh"u8, 1) < RecordBuffer.KeyWord("xabcdefh"u8, 1));
        Assert.Equal(0UL, RecordBuffer.KeyWord("abc"u8, 3));
    }

    [Fact]
    public void Sorting_a_refilled_buffer_allocates_nothing()
    {
        // keys in a thousand groups that share their first 8 bytes, so the sort keeps a thousand groups pending
        var random = new Random(7);
        var keys = Enumerable.Range(0, 50_000)
            .Select(_ => Encoding.UTF8.GetBytes($"group{random.Next(1000):D3}/{random.Next():D10}"))
            .ToList();
        var buffer = new RecordBuffer();
        Fill(buffer, keys);
        buffer.Sort();
        buffer.Clear();
        Fill(buffer, keys);

        // every spill sorts a refilled buffer: what a sort allocates anew each time is garbage per spill,
        // on the large object heap once it passes 85,000 bytes
        var before = GC.GetAllocatedBytesForCurrentThread();
        buffer.Sort();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 1024, $"sorting a refilled buffer allocated {allocated:N0} bytes");
        Assert.Equal(keys.Order(ByteOrder).First(), buffer.Key(buffer.Entry(0)).ToArray());
    }

    private static void Fill(RecordBuffer buffer, List<byte[]> keys)
    {
        foreach (var key in keys)
        {
            buffer.Add(key, 0, key.Length, int.MaxValue);
        }
    }

    private static void AssertSortsLikeReference(List<byte[]> keys)
    {
        var buffer = new RecordBuffer();
        foreach (var key in keys)
        {
            // a record is the key behind a tag byte, so key offsets are not record offsets
            var record = new byte[key.Length + 1];
            record[0] = 0xEE;
            key.CopyTo(record, 1);
            buffer.Add(record, 1, key.Length, int.MaxValue);
        }

        buffer.Sort();

        var expected = keys.Order(ByteOrder).ToList();
        var actual = Enumerable.Range(0, buffer.Count).Select(i => buffer.Key(buffer.Entry(i)).ToArray()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"position {i}: expected {Convert.ToHexString(expected[i])}, got {Convert.ToHexString(actual[i])}");
            Assert.Equal(0xEE, buffer.Record(buffer.Entry(i))[0]);
        }
    }

    private static byte[] RandomBytes(Random random, int length, int alphabet)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.Next(alphabet);
        }
        return bytes;
    }
}
