using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

internal static class SortTestData
{
    public static readonly DateTimeOffset BaseTime = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An object whose ETag is unique to <paramref name="index"/>, so equal keys stay distinguishable.</summary>
    public static SourceObject Object(string key, int index) =>
        new(key, index * 7L, $"etag-{index:D8}", BaseTime.AddSeconds(index), (index % 3) switch { 0 => "Standard", 1 => "IA", _ => "Archive" });

    public static List<SourceObject> Objects(IEnumerable<string> keys) => [.. keys.Select(Object)];

    public static string AsciiKey(Random random, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/-_.";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }

    public static async IAsyncEnumerable<T> ToAsync<T>(this IEnumerable<T> source)
    {
        foreach (var item in source)
        {
            await Task.Yield();
            yield return item;
        }
    }

    public static async Task<(List<SourceObject> Sorted, ExternalSorter<SourceObject> Sorter)> SortAsync(
        IEnumerable<SourceObject> input, string scratch, ExternalSortOptions options)
    {
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch, options);
        await using (sorter)
        {
            foreach (var item in input)
            {
                await sorter.AddAsync(item);
            }
            return (await sorter.SortAsync().ToListAsync(), sorter);
        }
    }

    /// <summary>Asserts <paramref name="actual"/> is <paramref name="input"/> in key order, duplicates and all.</summary>
    public static void AssertSortedPermutation(IReadOnlyList<SourceObject> input, IReadOnlyList<SourceObject> actual)
    {
        var expected = input.OrderBy(o => o.Key, KeyOrder.Instance).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Select(o => o.Key), actual.Select(o => o.Key));
        // equal keys may come in any order: compare whole records with ties broken by the unique ETag
        Assert.Equal(
            expected.OrderBy(o => o.Key, KeyOrder.Instance).ThenBy(o => o.ETag, StringComparer.Ordinal),
            actual.OrderBy(o => o.Key, KeyOrder.Instance).ThenBy(o => o.ETag, StringComparer.Ordinal));
    }
}
