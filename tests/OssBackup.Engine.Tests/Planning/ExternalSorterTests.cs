using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Planning;

public sealed class ExternalSorterTests
{
    private static readonly ExternalSortOptions Small = new() { MaxBufferedRecords = 1_000, MaxOpenRuns = 4, BlockSize = 4096 };

    [Fact]
    public async Task Random_input_over_many_runs_comes_out_in_key_order_through_intermediate_merges()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(1);
        var input = SortTestData.Objects(Enumerable.Range(0, 25_500).Select(i => i % 2 == 0 ? AwkwardKeys.Next(random) : SortTestData.AsciiKey(random, random.Next(1, 40))));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(25, sorter.RunsWritten);
        Assert.True(sorter.IntermediateMerges >= 2, $"{sorter.IntermediateMerges} intermediate merges");
        Assert.True(sorter.FinalMergeWidth <= 4);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    public async Task Any_fan_in_gives_the_same_order(int maxOpenRuns)
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(maxOpenRuns);
        var input = SortTestData.Objects(Enumerable.Range(0, 12_345).Select(_ => SortTestData.AsciiKey(random, random.Next(1, 12))));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small with { MaxOpenRuns = maxOpenRuns });

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.True(sorter.FinalMergeWidth <= maxOpenRuns);
    }

    [Fact]
    public async Task Reversed_input_is_sorted_without_merging_since_its_runs_do_not_overlap()
    {
        using var scratch = new TempFolder("sort");
        var keys = AwkwardKeys.Distinct(20_000, seed: 2).OrderBy(k => k, KeyOrder.Instance).Reverse();
        var input = SortTestData.Objects(keys);

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(19, sorter.RunsWritten); // the 20th buffer is merged from memory
        Assert.Equal(0, sorter.IntermediateMerges);
        Assert.Equal(1, sorter.FinalMergeWidth);
    }

    [Fact]
    public async Task Already_sorted_input_larger_than_the_buffer_becomes_a_single_run_read_straight_back()
    {
        using var scratch = new TempFolder("sort");
        var keys = AwkwardKeys.Distinct(20_500, seed: 3).OrderBy(k => k, KeyOrder.Instance).ToList();
        var input = SortTestData.Objects(keys);

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        Assert.Equal(input, sorted);
        Assert.Equal(1, sorter.RunsWritten);
        Assert.Equal(0, sorter.IntermediateMerges);
        Assert.Equal(1, sorter.FinalMergeWidth);
    }

    [Fact]
    public async Task Input_that_fits_in_the_buffer_writes_no_file_at_all()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(4);
        var input = SortTestData.Objects(Enumerable.Range(0, 1_000).Select(_ => AwkwardKeys.Next(random)));

        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            foreach (var item in input)
            {
                await sorter.AddAsync(item);
            }
            var sorted = await sorter.SortAsync().ToListAsync();

            SortTestData.AssertSortedPermutation(input, sorted);
            Assert.Equal(0, sorter.RunsWritten);
            Assert.Equal(0, sorter.BytesWritten);
            Assert.Null(sorter.RunFolder);
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        }
    }

    [Fact]
    public async Task Sorted_parts_in_descending_part_order_are_chained_instead_of_merged()
    {
        // an inventory of several data files, each sorted, covering disjoint key ranges, read last part first
        using var scratch = new TempFolder("sort");
        var parts = SortedParts(seed: 5);
        int[] partOrder = [5, 4, 3, 2, 1, 0];
        var input = SortTestData.Objects(partOrder.SelectMany(p => parts[p]));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(6, sorter.RunsWritten); // the second half of part 0 is merged from memory
        Assert.Equal(0, sorter.IntermediateMerges);
        Assert.Equal(1, sorter.FinalMergeWidth);
    }

    [Fact]
    public async Task Sorted_parts_in_shuffled_order_extend_runs_where_they_continue_and_need_no_intermediate_merge()
    {
        using var scratch = new TempFolder("sort");
        var parts = SortedParts(seed: 6);
        int[] partOrder = [3, 0, 5, 1, 4, 2];
        var input = SortTestData.Objects(partOrder.SelectMany(p => parts[p]));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        // runs: {3}, {0,5} (5 continues 0), {1,4}, first half of {2}; the other half stays in memory
        Assert.Equal(4, sorter.RunsWritten);
        Assert.Equal(0, sorter.IntermediateMerges);
        // chains of runs that do not overlap: {0,5}; {1,4}; {2a}, in-memory {2b}, {3}
        Assert.Equal(3, sorter.FinalMergeWidth);
    }

    private static List<List<string>> SortedParts(int seed)
    {
        var keys = AwkwardKeys.Distinct(12_000, seed).OrderBy(k => k, KeyOrder.Instance).ToList();
        return [.. Enumerable.Range(0, 6).Select(p => keys.GetRange(p * 2_000, 2_000))];
    }

    [Fact]
    public async Task Many_duplicates_are_all_kept()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(6);
        var distinct = AwkwardKeys.Distinct(7, seed: 6);
        var input = SortTestData.Objects(Enumerable.Range(0, 15_000).Select(_ => distinct[random.Next(distinct.Count)]));

        var (sorted, _) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(15_000, sorted.Select(o => o.ETag).Distinct().Count());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(37)]
    [InlineData(64)]
    public async Task A_wide_merge_of_runs_that_end_at_different_keys_and_repeat_keys_across_runs_keeps_every_record_in_order(int maxOpenRuns)
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(maxOpenRuns);
        // 37 runs (a width that is no power of two); long shared prefixes, keys repeated across runs, and a few
        // keys so high that the runs that hold them are the last to run out
        var repeated = Enumerable.Range(0, 40).Select(i => $"logs/app-server-07/2024/03/15/access-{i:D4}").ToArray();
        var input = SortTestData.Objects(Enumerable.Range(0, 18_300).Select(i => (i % 3) switch
        {
            0 => repeated[random.Next(repeated.Length)],
            1 => $"logs/app-server-07/2024/03/15/access-{random.Next(100_000):D6}.log.gz",
            _ => random.Next(200) == 0 ? $"\U0010FFFF/{random.Next():D10}" : AwkwardKeys.Next(random),
        }));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small with { MaxBufferedRecords = 500, MaxOpenRuns = maxOpenRuns });

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(36, sorter.RunsWritten);
        Assert.Equal(Math.Min(37, maxOpenRuns), sorter.FinalMergeWidth);
    }

    [Fact]
    public async Task A_single_repeated_key_is_sorted_and_kept()
    {
        using var scratch = new TempFolder("sort");
        var input = SortTestData.Objects(Enumerable.Repeat("same/key", 5_500));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        SortTestData.AssertSortedPermutation(input, sorted);
        Assert.Equal(1, sorter.RunsWritten);
    }

    [Fact]
    public async Task Keys_sort_by_code_point_with_emoji_before_nothing_and_private_use_before_emoji()
    {
        using var scratch = new TempFolder("sort");
        string[] keys = ["\U0010FFFF", "😀", "\uFFFF", "\uE000", "z", "a/\uE000", "a/😀", "a/", "\uFF21", "é", "a", "𝄞x", "𝄞"];
        var input = SortTestData.Objects(Enumerable.Range(0, 3_000).Select(i => keys[i % keys.Length]));

        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, Small);

        Assert.True(sorter.RunsWritten > 1);
        string[] expected = ["a", "a/", "a/\uE000", "a/😀", "z", "é", "\uE000", "\uFF21", "\uFFFF", "𝄞", "𝄞x", "😀", "\U0010FFFF"];
        Assert.Equal(expected, sorted.Select(o => o.Key).Distinct());
        Assert.Equal(expected, keys.Order(AwkwardKeys.Utf8ByteOrder));
        SortTestData.AssertSortedPermutation(input, sorted);
    }

    [Fact]
    public async Task Awkward_keys_come_out_in_utf8_byte_order()
    {
        using var scratch = new TempFolder("sort");
        var keys = AwkwardKeys.Distinct(9_000, seed: 7);

        var (sorted, _) = await SortTestData.SortAsync(SortTestData.Objects(keys), scratch.Path, Small);

        Assert.Equal(keys.Order(AwkwardKeys.Utf8ByteOrder), sorted.Select(o => o.Key));
    }

    [Fact]
    public async Task A_byte_budget_spills_before_the_record_limit()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(8);
        var input = SortTestData.Objects(Enumerable.Range(0, 5_000).Select(_ => SortTestData.AsciiKey(random, 30)));

        var options = new ExternalSortOptions { MaxBufferedRecords = 1_000_000, MaxBufferedBytes = 100_000, MaxOpenRuns = 4 };
        var (sorted, sorter) = await SortTestData.SortAsync(input, scratch.Path, options);

        SortTestData.AssertSortedPermutation(input, sorted);
        // a record here is about 65 bytes encoded plus 44 of bookkeeping; two buffers share the budget: some 450 to a buffer
        Assert.InRange(sorter.RunsWritten, 9, 12);
    }

    [Fact]
    public async Task Scratch_files_exist_while_merging_and_are_gone_after_full_enumeration()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(9);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            for (var i = 0; i < 5_000; i++)
            {
                await sorter.AddAsync(SortTestData.Object(SortTestData.AsciiKey(random, 20), i));
            }
            var folder = sorter.RunFolder;
            Assert.NotNull(folder);
            Assert.NotEmpty(Directory.EnumerateFiles(folder));

            var count = 0;
            await foreach (var item in sorter.SortAsync())
            {
                if (count++ == 10)
                {
                    Assert.NotEmpty(Directory.EnumerateFiles(folder));
                }
            }

            Assert.Equal(5_000, count);
            Assert.False(Directory.Exists(folder));
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        }
    }

    [Fact]
    public async Task Scratch_files_are_gone_after_an_early_break()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(10);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            for (var i = 0; i < 9_000; i++)
            {
                await sorter.AddAsync(SortTestData.Object(SortTestData.AsciiKey(random, 20), i));
            }
            await foreach (var item in sorter.SortAsync())
            {
                Assert.NotEmpty(Directory.EnumerateFileSystemEntries(scratch.Path));
                break;
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Fact]
    public async Task Scratch_files_are_gone_when_the_sorter_is_disposed_without_sorting()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(11);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        for (var i = 0; i < 4_500; i++)
        {
            await sorter.AddAsync(SortTestData.Object(SortTestData.AsciiKey(random, 20), i));
        }
        var output = sorter.SortAsync();
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(scratch.Path));

        await sorter.DisposeAsync();

        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await output.ToListAsync());
    }

    [Fact]
    public async Task Cancelling_the_merge_throws_and_removes_the_scratch_files()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(12);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            for (var i = 0; i < 20_000; i++)
            {
                await sorter.AddAsync(SortTestData.Object(SortTestData.AsciiKey(random, 20), i));
            }
            using var cancellation = new CancellationTokenSource();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                var count = 0;
                await foreach (var item in sorter.SortAsync(cancellation.Token))
                {
                    if (++count == 100)
                    {
                        await cancellation.CancelAsync();
                    }
                }
            });

            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        }
    }

    [Fact]
    public async Task The_output_is_taken_once_and_nothing_is_added_after()
    {
        using var scratch = new TempFolder("sort");
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            await sorter.AddAsync(SortTestData.Object("b", 1));
            await sorter.AddAsync(SortTestData.Object("a", 2));
            var output = sorter.SortAsync();

            Assert.Throws<InvalidOperationException>(() => sorter.SortAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await sorter.AddAsync(SortTestData.Object("c", 3)));
            Assert.Equal(["a", "b"], (await output.ToListAsync()).Select(o => o.Key));
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await output.ToListAsync());
        }
    }

    [Fact]
    public async Task An_empty_sort_yields_nothing()
    {
        using var scratch = new TempFolder("sort");
        var (sorted, sorter) = await SortTestData.SortAsync([], scratch.Path, Small);

        Assert.Empty(sorted);
        Assert.Equal(0, sorter.RunsWritten);
    }

    [Fact]
    public async Task Records_larger_than_a_block_round_trip()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(13);
        var input = SortTestData.Objects(Enumerable.Range(0, 3_000).Select(i => SortTestData.AsciiKey(random, i % 100 == 0 ? 9_000 : 10)));

        var (sorted, _) = await SortTestData.SortAsync(input, scratch.Path, Small with { BlockSize = 1024 });

        SortTestData.AssertSortedPermutation(input, sorted);
    }

    [Fact]
    public async Task A_damaged_run_file_fails_loudly()
    {
        using var scratch = new TempFolder("sort");
        var random = new Random(14);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, Small);
        await using (sorter)
        {
            for (var i = 0; i < 3_500; i++)
            {
                await sorter.AddAsync(SortTestData.Object(SortTestData.AsciiKey(random, 20), i));
            }
            var output = sorter.SortAsync();
            var damaged = 0;
            foreach (var file in Directory.EnumerateFiles(sorter.RunFolder!))
            {
                try
                {
                    using var stream = File.OpenWrite(file);
                    stream.SetLength(stream.Length - 3);
                    damaged++;
                }
                catch (IOException)
                {
                    // the run still being written (closed when the merge starts)
                }
            }
            Assert.True(damaged > 0);

            await Assert.ThrowsAsync<InvalidDataException>(async () => await output.ToListAsync());
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
        }
    }

    [Fact]
    public async Task A_comparer_other_than_the_codecs_order_is_refused()
    {
        using var scratch = new TempFolder("sort");
        var ordinal = Comparer<SourceObject>.Create((a, b) => string.CompareOrdinal(a.Key, b.Key));

        Assert.Throws<ArgumentException>(() => new ExternalSorter<SourceObject>(ordinal, SourceObjectCodec.Instance, scratch.Path));
        await using var sorter = new ExternalSorter<SourceObject>(SourceObjectCodec.Instance, scratch.Path);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused()
    {
        using var scratch = new TempFolder("sort");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExternalSorter<SourceObject>(
            SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, new ExternalSortOptions { MaxOpenRuns = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExternalSorter<SourceObject>(
            SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path, new ExternalSortOptions { MaxBufferedRecords = 0 }));
        await Task.CompletedTask;
    }
}
