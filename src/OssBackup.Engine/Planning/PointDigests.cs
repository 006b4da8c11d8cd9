using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Planning;

/// <summary>Finds a backup point's local digest, or builds it from the point's table when this machine has none.</summary>
internal static class PointDigests
{
    public static async Task<PointDigestFile> OpenOrBuildAsync(BlobReader reader, SnapshotManifest point, string cacheRoot, string vaultId, Action<string> inform, CancellationToken cancellationToken)
    {
        var path = PointDigestFile.PathFor(cacheRoot, vaultId, point.Id);
        var existing = PointDigestFile.TryOpen(path, point.Id, point.Stats.ObjectCount);
        if (existing is not null)
        {
            return existing;
        }
        inform($"This machine has no usable digest of backup point {point.Id}; building it from the point's table ({point.Stats.ObjectCount:N0} objects, once).");
        using (var writer = new PointDigestFile.Writer(Path.GetDirectoryName(path)!, PointDigestFile.NewSeed()))
        {
            await foreach (var entry in TableReader.ReadAsync(reader, point.Segments, null, cancellationToken))
            {
                writer.Add(ObjectDigest.Of(entry, writer.Seed));
            }
            writer.Complete(point.Id, path);
        }
        return PointDigestFile.TryOpen(path, point.Id, point.Stats.ObjectCount)
            ?? throw new InvalidDataException($"Backup point {point.Id} lists {point.Stats.ObjectCount:N0} objects, but its table holds another number: the vault may be damaged.");
    }

    /// <summary>Deletes a point's digest, when it has one here (the next backup of its plan plans against a newer point).</summary>
    public static void Forget(string cacheRoot, string vaultId, string pointId)
    {
        try
        {
            File.Delete(PointDigestFile.PathFor(cacheRoot, vaultId, pointId));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
