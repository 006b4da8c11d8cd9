namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>Merges sorted blob files into one, keeping the first of equal ids. Memory: one read buffer per input.</summary>
internal static class SortedBlobFileMerger
{
    /// <summary>More inputs than this are merged in several passes, to bound open files and buffers.</summary>
    public const int MaxInputs = 128;

    private const int ReadBufferSize = 64 << 10;

    public static long Merge(IReadOnlyList<string> inputs, string output, string vaultId, string scratchFolder)
    {
        var pending = inputs.ToList();
        var intermediates = new List<string>();
        try
        {
            while (pending.Count > MaxInputs)
            {
                var intermediate = Path.Combine(scratchFolder, $"merge-{Guid.NewGuid():N}.blobs");
                MergeOnce(pending.Take(MaxInputs).ToList(), intermediate, vaultId);
                intermediates.Add(intermediate);
                pending = [.. pending.Skip(MaxInputs), intermediate];
            }
            return MergeOnce(pending, output, vaultId);
        }
        finally
        {
            intermediates.ForEach(IndexCacheFolder.TryDelete);
        }
    }

    private static long MergeOnce(IReadOnlyList<string> inputs, string output, string vaultId)
    {
        var readers = new List<SortedBlobFileReader>(inputs.Count);
        try
        {
            var heads = new PriorityQueue<SortedBlobFileReader, BlobId>(inputs.Count, BlobIdComparer.Instance);
            foreach (var input in inputs)
            {
                var reader = new SortedBlobFileReader(input, vaultId, ReadBufferSize);
                readers.Add(reader);
                if (reader.MoveNext())
                {
                    heads.Enqueue(reader, reader.Current.Id);
                }
            }
            using var writer = new SortedBlobFileWriter(output, vaultId);
            while (heads.TryDequeue(out var reader, out _))
            {
                writer.Add(reader.Current);
                if (reader.MoveNext())
                {
                    heads.Enqueue(reader, reader.Current.Id);
                }
            }
            writer.Complete();
            return writer.Count;
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }
}
