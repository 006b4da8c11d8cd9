namespace OssBackup.Engine.Source;

/// <summary>An access key pair. ToString never shows the secret.</summary>
public sealed record S3Credentials(string AccessKeyId, string SecretAccessKey)
{
    public override string ToString() => $"{AccessKeyId} (secret hidden)";
}
