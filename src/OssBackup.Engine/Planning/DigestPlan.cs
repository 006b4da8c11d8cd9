using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OssBackup.Engine.Source;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// The outcome of a <see cref="DigestJoin"/>: counts, the new and changed rows (sorted by key on demand) and the
/// ordinals of the previous point's objects the inventory no longer lists.
/// </summary>
internal sealed class DigestPlan : IAsyncDisposable
{
    private readonly ExternalSorter<SourceObject> _delta;
    private readonly OrdinalRuns _dropped;

    internal DigestPlan(DigestJoinCounts counts, long previousCount, ExternalSorter<SourceObject> delta, OrdinalRuns dropped)
    {
        Counts = counts;
        PreviousCount = previousCount;
        _delta = delta;
        _dropped = dropped;
    }

    public DigestJoinCounts Counts { get; }

    /// <summary>Objects in the previous point (its digest file's records).</summary>
    public long PreviousCount { get; }

    /// <summary>New and changed rows in key order, once.</summary>
    public IAsyncEnumerable<SourceObject> Delta(CancellationToken cancellationToken) => _delta.SortAsync(cancellationToken);

    /// <summary>Ordinals (positions in the previous table) of objects not in the inventory, ascending.</summary>
    public IEnumerator<long> DroppedOrdinals() => _dropped.Merge();

    public async ValueTask DisposeAsync()
    {
        await _delta.DisposeAsync();
        _dropped.Dispose();
    }
}

/// <summary>Ascending runs of ordinals in one scratch file, read back as one ascending sequence.</summary>
internal sealed class OrdinalRuns : IDisposable
{
    private readonly string _path;
    private readonly List<(long Offset, int Count)> _runs = [];
    private SafeFileHandle? _file;
    private long _end;

    public OrdinalRuns(string path) => _path = path;

    public long Count { get; private set; }

    public void AddRun(ReadOnlySpan<long> ascending)
    {
        if (ascending.IsEmpty)
        {
            return;
        }
        _file ??= File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        var bytes = new byte[ascending.Length * sizeof(long)];
        for (var i = 0; i < ascending.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), ascending[i]);
        }
        RandomAccess.Write(_file, bytes, _end);
        _runs.Add((_end, ascending.Length));
        _end += bytes.Length;
        Count += ascending.Length;
    }

    public IEnumerator<long> Merge()
    {
        var readers = _runs.Select(run => new RunReader(_file!, run.Offset, run.Count)).ToList();
        var queue = new PriorityQueue<RunReader, long>();
        foreach (var reader in readers)
        {
            if (reader.MoveNext())
            {
                queue.Enqueue(reader, reader.Current);
            }
        }
        while (queue.TryDequeue(out var reader, out var ordinal))
        {
            yield return ordinal;
            if (reader.MoveNext())
            {
                queue.Enqueue(reader, reader.Current);
            }
        }
    }

    private sealed class RunReader(SafeFileHandle file, long offset, int count)
    {
        private readonly byte[] _buffer = new byte[Math.Min(count, 512) * sizeof(long)];
        private int _remaining = count;
        private long _next = offset;
        private int _at;
        private int _filled;

        public long Current { get; private set; }

        public bool MoveNext()
        {
            if (_at == _filled)
            {
                if (_remaining == 0)
                {
                    return false;
                }
                var wanted = Math.Min(_remaining, _buffer.Length / sizeof(long)) * sizeof(long);
                if (FileReads.ReadFully(file, _buffer.AsSpan(0, wanted), _next) < wanted)
                {
                    throw new IOException("A scratch file of dropped objects ended early.");
                }
                _next += wanted;
                _remaining -= wanted / sizeof(long);
                _filled = wanted;
                _at = 0;
            }
            Current = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(_at));
            _at += sizeof(long);
            return true;
        }
    }

    public void Dispose() => _file?.Dispose();
}
