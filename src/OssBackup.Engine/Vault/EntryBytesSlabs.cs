namespace OssBackup.Engine.Vault;

/// <summary>
/// Copies the encodings of decoded table entries out of the reused segment buffer into shared slabs, so
/// an entry can keep its bytes without an array of its own. A slab stays alive while any entry cut from
/// it does, so slabs are small: an entry kept for long (a changed object being read, a drill's sample)
/// holds at most one slab of its neighbours' bytes. Not thread-safe.
/// </summary>
internal sealed class EntryBytesSlabs
{
    /// <summary>About 35 entries of the planning benchmark's table (230 bytes each); well below the large-object heap.</summary>
    public const int SlabSize = 8 << 10;

    private byte[] _slab = [];
    private int _used;

    public ReadOnlyMemory<byte> Keep(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _slab.Length - _used)
        {
            _slab = GC.AllocateUninitializedArray<byte>(Math.Max(SlabSize, bytes.Length));
            _used = 0;
        }
        bytes.CopyTo(_slab.AsSpan(_used));
        var kept = new ReadOnlyMemory<byte>(_slab, _used, bytes.Length);
        _used += bytes.Length;
        return kept;
    }
}
