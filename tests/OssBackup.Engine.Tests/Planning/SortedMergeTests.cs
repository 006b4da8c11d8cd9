using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

public sealed class SortedMergeTests
{
    private sealed class PreviousEntry(string key, string etag)
    {
        public string Key { get; } = key;
        public string ETag { get; } = etag;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 50)]
    [InlineData(50, 0)]
    [InlineData(3_000, 2_000)]
    public async Task The_join_matches_a_dictionary_join(int leftCount, int rightCount)
    {
        var random = new Random(leftCount + rightCount);
        var pool = AwkwardKeys.Distinct(leftCount + rightCount, seed: 30);
        var left = pool.Where(_ => random.Next(3) != 0).Take(leftCount).Order(KeyOrder.Instance).Select(k => new PreviousEntry(k, "old-" + k)).ToList();
        var right = pool.Where(_ => random.Next(3) != 0).Take(rightCount).Order(KeyOrder.Instance).Select((k, i) => SortTestData.Object(k, i)).ToList();

        var joined = await SortedMerge.FullOuterJoinAsync(left.ToAsync(), right.ToAsync(), e => e.Key, o => o.Key).ToListAsync();

        var leftByKey = left.ToDictionary(e => e.Key, StringComparer.Ordinal);
        var rightByKey = right.ToDictionary(o => o.Key, StringComparer.Ordinal);
        var expected = leftByKey.Keys.Union(rightByKey.Keys, StringComparer.Ordinal).Order(KeyOrder.Instance)
            .Select(k => new JoinResult<PreviousEntry, SourceObject>(k, leftByKey.GetValueOrDefault(k), rightByKey.GetValueOrDefault(k)))
            .ToList();
        Assert.Equal(expected, joined);
        if (leftCount > 0 && rightCount > 0)
        {
            Assert.Contains(joined, r => r.Left is not null && r.Right is not null);
            Assert.Contains(joined, r => r.Left is null);
            Assert.Contains(joined, r => r.Right is null);
        }
    }

    [Fact]
    public async Task The_join_works_on_the_output_of_a_sort()
    {
        using var scratch = new TempFolder("join");
        var random = new Random(31);
        var keys = AwkwardKeys.Distinct(6_000, seed: 31);
        var previous = keys.Take(4_000).Order(KeyOrder.Instance).Select(k => new PreviousEntry(k, "x")).ToList();
        var inventory = SortTestData.Objects(keys.Skip(2_000).OrderBy(_ => random.Next()));
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path,
            new ExternalSortOptions { MaxBufferedRecords = 500, MaxOpenRuns = 3 });
        await using (sorter)
        {
            foreach (var item in inventory)
            {
                await sorter.AddAsync(item);
            }

            var joined = await SortedMerge.FullOuterJoinAsync(previous.ToAsync(), sorter.SortAsync(), e => e.Key, o => o.Key).ToListAsync();

            Assert.Equal(6_000, joined.Count);
            Assert.Equal(2_000, joined.Count(r => r.Right is null));
            Assert.Equal(2_000, joined.Count(r => r.Left is null));
            Assert.Equal(2_000, joined.Count(r => r.Left is not null && r.Right is not null));
            Assert.All(joined.Where(r => r.Left is not null && r.Right is not null), r => Assert.Equal(r.Left!.Key, r.Right!.Key));
        }
    }

    [Fact]
    public async Task Out_of_order_left_input_throws()
    {
        string[] left = ["a", "c", "b", "d"];
        string[] right = ["a", "b"];

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            SortedMerge.FullOuterJoinAsync(left.ToAsync(), right.ToAsync(), k => k, k => k).ToListAsync());

        Assert.Contains("left", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_order_right_input_throws_even_when_the_left_is_exhausted()
    {
        string[] left = ["a"];
        string[] right = ["b", "c", "e", "d"];

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            SortedMerge.FullOuterJoinAsync(left.ToAsync(), right.ToAsync(), k => k, k => k).ToListAsync());

        Assert.Contains("right", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ordinal_order_is_not_key_order_and_is_refused()
    {
        // .NET ordinal order puts U+E000 after emoji; key order puts it before
        string[] ordinal = ["a", "😀", "\uE000"];

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            SortedMerge.FullOuterJoinAsync(ordinal.ToAsync(), Array.Empty<string>().ToAsync(), k => k, k => k).ToListAsync());
    }

    [Fact]
    public async Task A_repeated_key_on_one_side_throws()
    {
        string[] left = ["a", "b"];
        string[] right = ["a", "b", "b", "c"];

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            SortedMerge.FullOuterJoinAsync(left.ToAsync(), right.ToAsync(), k => k, k => k).ToListAsync());

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }
}
