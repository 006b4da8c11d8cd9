using System.Buffers;
using System.Text;
using OssBackup.Engine.Planning;

namespace OssBackup.Engine.Tests.Planning;

public sealed class RunReadBufferTests
{
    private const int BlockSize = 4096;

    [Fact]
    public async Task Runs_read_one_after_another_reuse_one_read_buffer_and_give_it_back()
    {
        using var scratch = new TempFolder("runs");
        var pool = new CountingPool(ArrayPool<byte>.Create(2 * BlockSize, 4));
        using (var chain = new RunChain(WholeRecordIsKey, pool, BlockSize))
        {
            for (var run = 0; run < 5; run++)
            {
                chain.Append(await WriteRunAsync(Path.Combine(scratch.Path, $"run-{run}"), first: run * 1000, count: 1000));
            }

            var records = 0;
            for (var more = await chain.LoadAsync(CancellationToken.None); more; more = chain.MoveNext() || await chain.LoadAsync(CancellationToken.None))
            {
                Assert.Equal(Key(records), Encoding.ASCII.GetString(chain.Key));
                records++;
            }

            Assert.Equal(5000, records);
        }

        // a buffer per run opened would be garbage per run: hundreds of large arrays over a big sort
        Assert.Equal(5, pool.Rented);
        Assert.Equal(1, pool.DistinctArrays);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task A_reader_abandoned_before_its_end_gives_its_buffer_back()
    {
        using var scratch = new TempFolder("runs");
        var pool = new CountingPool(ArrayPool<byte>.Create(2 * BlockSize, 4));
        var chain = new RunChain(WholeRecordIsKey, pool, BlockSize);
        chain.Append(await WriteRunAsync(Path.Combine(scratch.Path, "run"), first: 0, count: 5000));

        Assert.True(await chain.LoadAsync(CancellationToken.None));
        chain.Dispose();

        Assert.Equal(1, pool.Rented);
        Assert.Equal(1, pool.Returned);
    }

    private static (int Offset, int Length) WholeRecordIsKey(ReadOnlySpan<byte> record) => (0, record.Length);

    private static string Key(int i) => $"key-{i:D8}";

    private static async Task<FileRun> WriteRunAsync(string path, int first, int count)
    {
        using var writer = new RunWriter(path, BlockSize);
        for (var i = first; i < first + count; i++)
        {
            if (writer.Add(Encoding.ASCII.GetBytes(Key(i))))
            {
                await writer.FlushAsync(CancellationToken.None);
            }
        }
        return await writer.CompleteAsync(CancellationToken.None);
    }

    private sealed class CountingPool(ArrayPool<byte> inner) : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _arrays = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public int DistinctArrays => _arrays.Count;

        public override byte[] Rent(int minimumLength)
        {
            var array = inner.Rent(minimumLength);
            _arrays.Add(array);
            Rented++;
            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            Assert.Contains(array, _arrays);
            Returned++;
            inner.Return(array, clearArray);
        }
    }
}
