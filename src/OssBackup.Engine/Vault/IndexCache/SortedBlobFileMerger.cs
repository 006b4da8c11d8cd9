namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// Merges sorted blob files into one, keeping the first of equal ids and dropping records that point into dead packs
/// (so the dead-pack filter can forget them). Memory: one read buffer per input.
/// </summary>
internal static class SortedBlobFileMerger
{
    /// <summary>More inputs than this are merged in several passes, to bound open files and buffers.</summary>
    public const int MaxInputs = 128;

    private const int ReadBufferSize = 64 << 10;

    /// <summary>Returns the records written and those dropped because their pack is in <paramref name="deadPacks"/>.</summary>
    public static (long Written, long Purged) Merge(IReadOnlyList<string> inputs, string output, string vaultId, string scratchFolder, DeadPackSet? deadPacks = null)
    {
        deadPacks ??= DeadPackSet.None;
        var purged = 0L;
        var pending = inputs.ToList();
        var intermediates = new List<string>();
        try
        {
            while (pending.Count > MaxInputs)
            {
                var intermediate = Path.Combine(scratchFolder, $"merge-{Guid.NewGuid():N}.blobs");
                purged += MergeOnce(pending.Take(MaxInputs).ToList(), intermediate, vaultId, deadPacks).Purged;
                intermediates.Add(intermediate);
                pending = [.. pending.Skip(MaxInputs), intermediate];
            }
            var last = MergeOnce(pending, output, vaultId, deadPacks);
            return (last.Written, purged + last.Purged);
        }
        finally
        {
            intermediates.ForEach(IndexCacheFolder.TryDelete);
        }
    }

    private static (long Written, long Purged) MergeOnce(IReadOnlyList<string> inputs, string output, string vaultId, DeadPackSet deadPacks)
    {
        var purged = 0L;
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
                // Dropped before the writer sees it: of two records of one id, a dead one must never win over a live one.
                if (deadPacks.Contains(reader.Current.Pack))
                {
                    purged++;
                }
                else
                {
                    writer.Add(reader.Current);
                }
                if (reader.MoveNext())
                {
                    heads.Enqueue(reader, reader.Current.Id);
                }
            }
            writer.Complete();
            return (writer.Count, purged);
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }
}
