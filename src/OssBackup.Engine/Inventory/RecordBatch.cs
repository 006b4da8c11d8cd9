using OssBackup.Engine.Util;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// Sort records packed back to back, each behind its length (uvarint), so rows cross from the threads
/// that read data files to the one that sorts them in bulk rather than one by one. Small enough to stay
/// off the large object heap; reused once consumed.
/// </summary>
internal sealed class RecordBatch
{
    private const int Capacity = 60 << 10;

    private readonly BinaryWriterBuffer _bytes = new(Capacity + 1024);

    public int Count { get; private set; }

    public bool IsFull => _bytes.Length >= Capacity;

    public ReadOnlySpan<byte> Bytes => _bytes.WrittenSpan;

    public void Add(ReadOnlySpan<byte> record)
    {
        _bytes.WriteUVarint((ulong)record.Length);
        _bytes.WriteBytes(record);
        Count++;
    }

    /// <summary>Finds the record at <paramref name="position"/> and moves past it; false after the last.</summary>
    public bool Next(ref int position, out int offset, out int length)
    {
        if (position >= _bytes.Length)
        {
            offset = length = 0;
            return false;
        }
        var reader = new BinarySpanReader(_bytes.WrittenSpan[position..]);
        length = checked((int)reader.ReadUVarint());
        offset = position + reader.Position;
        position = offset + length;
        return true;
    }

    public void Clear()
    {
        _bytes.Clear();
        Count = 0;
    }
}
