namespace OssBackup.Engine.Source;

/// <summary>
/// An access key pair, with the session token of temporary credentials (STS) when there is one.
/// ToString never shows the secret or the token.
/// </summary>
public sealed record S3Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() => SessionToken is null ? $"{AccessKeyId} (secret hidden)" : $"{AccessKeyId} (secret and session token hidden)";
}
