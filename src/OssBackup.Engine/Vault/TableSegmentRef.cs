namespace OssBackup.Engine.Vault;

/// <summary>A segment of a point's object table: where it is and which keys it spans.</summary>
public sealed record TableSegmentRef(BlobLocation Blob, long Count, string FirstKey, string LastKey);
