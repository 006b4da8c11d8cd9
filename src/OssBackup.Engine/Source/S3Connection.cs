namespace OssBackup.Engine.Source;

/// <summary>How to reach an S3-compatible endpoint. Credentials are resolved at run time, never stored.</summary>
public sealed record S3Connection(string Endpoint, string Region, bool ForcePathStyle, S3Credentials Credentials)
{
    public override string ToString() => Endpoint;
}
