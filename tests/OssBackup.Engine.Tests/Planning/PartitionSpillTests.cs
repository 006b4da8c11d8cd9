using OssBackup.Engine.Planning;

namespace OssBackup.Engine.Tests.Planning;

public sealed class PartitionSpillTests : IDisposable
{
    private readonly TempFolder _folder = new("partition-spill");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Each_partition_reads_back_as_appended_whole_or_chunk_by_chunk()
    {
        const int Partitions = 7;
        var random = new Random(3);
        var expected = Enumerable.Range(0, Partitions).Select(_ => new List<byte>()).ToArray();
        using var spill = new PartitionSpill(_folder.Path, "parts", Partitions, bufferSize: 64);
        for (var n = 0; n < 20_000; n++)
        {
            var partition = random.Next(Partitions);
            // Mostly short records, a few longer than a chunk (they get a chunk of their own).
            var record = new byte[random.Next(20) == 0 ? random.Next(65, 300) : random.Next(1, 40)];
            random.NextBytes(record);
            record.CopyTo(spill.Append(partition, record.Length));
            expected[partition].AddRange(record);
        }

        for (var partition = 0; partition < Partitions; partition++)
        {
            var whole = new byte[3];
            whole[0] = 42;
            var length = spill.Read(partition, ref whole, at: 1);
            Assert.Equal(expected[partition].Count, length);
            Assert.Equal(42, whole[0]);
            Assert.Equal(expected[partition], whole.Skip(1).Take(length));

            var chunked = new List<byte>();
            spill.ReadChunks(partition, chunk => chunked.AddRange(chunk.ToArray()));
            Assert.Equal(expected[partition], chunked);
            Assert.Equal(expected[partition].Count, spill.LengthOf(partition));
        }
        Assert.True(spill.BytesWritten > expected.Sum(e => e.Count) / 2, "most of it went to the file");
    }
}
