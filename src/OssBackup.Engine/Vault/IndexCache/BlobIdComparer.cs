namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>Orders blob ids as their 32 bytes sort, which is the order of the index cache's files.</summary>
internal sealed class BlobIdComparer : IComparer<BlobId>, IComparer<BlobLocation>
{
    public static readonly BlobIdComparer Instance = new();

    public int Compare(BlobId x, BlobId y)
    {
        var high = x.High.CompareTo(y.High);
        return high != 0 ? high : x.Low.CompareTo(y.Low);
    }

    public int Compare(BlobLocation x, BlobLocation y) => Compare(x.Id, y.Id);
}
