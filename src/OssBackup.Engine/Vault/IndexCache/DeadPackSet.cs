namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// Packs a prune deleted whose records some cache level still holds. A lookup that lands on one of them is a miss:
/// reusing a location in a deleted pack would make a backup point name missing data. Small (bounded by the packs
/// deleted since the levels holding them were last merged), so a sorted array searched by bisection suffices.
/// </summary>
internal sealed class DeadPackSet
{
    public static readonly DeadPackSet None = new([]);

    private readonly UInt128[] _sorted;

    public DeadPackSet(IEnumerable<PackId> packs)
    {
        _sorted = packs.Select(p => p.Value).Distinct().Order().ToArray();
    }

    public int Count => _sorted.Length;

    public bool Contains(PackId pack) => _sorted.Length != 0 && Array.BinarySearch(_sorted, pack.Value) >= 0;
}
