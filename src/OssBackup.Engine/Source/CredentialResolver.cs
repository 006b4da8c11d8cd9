using Amazon.Runtime.CredentialManagement;

namespace OssBackup.Engine.Source;

/// <summary>
/// Finds credentials in the order a user expects: given explicitly, a named profile in the shared
/// credentials file, then OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET, then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
/// Temporary credentials keep their session token (the profile's, OSS_SESSION_TOKEN or AWS_SESSION_TOKEN).
/// </summary>
public static class CredentialResolver
{
    public static S3Credentials Resolve(S3Credentials? explicitCredentials, string? profileName, string forWhat)
    {
        if (explicitCredentials is not null)
        {
            return explicitCredentials;
        }
        if (!string.IsNullOrEmpty(profileName))
        {
            var chain = new CredentialProfileStoreChain();
            if (!chain.TryGetAWSCredentials(profileName, out var awsCredentials))
            {
                throw new CredentialsNotFoundException($"Credentials profile '{profileName}' for {forWhat} was not found in the shared credentials file. Create it, or pass -Credential.");
            }
            var immutable = awsCredentials.GetCredentials();
            return new S3Credentials(immutable.AccessKey, immutable.SecretKey, string.IsNullOrEmpty(immutable.Token) ? null : immutable.Token);
        }
        var fromOss = FromEnvironment("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN");
        var fromAws = FromEnvironment("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
        return fromOss ?? fromAws ?? throw new CredentialsNotFoundException(
            $"No credentials for {forWhat}: pass -Credential, set -ProfileName on the plan, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET.");
    }

    private static S3Credentials? FromEnvironment(string idVariable, string secretVariable, string tokenVariable)
    {
        var id = Environment.GetEnvironmentVariable(idVariable);
        var secret = Environment.GetEnvironmentVariable(secretVariable);
        var token = Environment.GetEnvironmentVariable(tokenVariable);
        return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) ? null : new S3Credentials(id, secret, string.IsNullOrEmpty(token) ? null : token);
    }
}

public sealed class CredentialsNotFoundException(string message) : Exception(message);
