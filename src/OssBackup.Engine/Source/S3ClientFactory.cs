using Amazon.Runtime;
using Amazon.S3;

namespace OssBackup.Engine.Source;

/// <summary>
/// Builds AWSSDK clients that work against S3-compatible stores. The SDK's defaults (aws-chunked uploads
/// with checksum trailers, whole-object response checksums) break Ceph RGW and OSS and cost throughput,
/// so checksums are computed only when an operation requires them and integrity is verified by us:
/// Content-MD5 on every upload, content hashes on every read.
/// </summary>
public static class S3ClientFactory
{
    public static AmazonS3Client Create(S3Connection connection, int maxConnections = 64)
    {
        _ = EndpointUri(connection);
        var config = new AmazonS3Config
        {
            ServiceURL = connection.Endpoint,
            ForcePathStyle = connection.ForcePathStyle,
            AuthenticationRegion = string.IsNullOrEmpty(connection.Region) ? "us-east-1" : connection.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 4,
            Timeout = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = maxConnections,
        };
        var given = connection.Credentials;
        AWSCredentials credentials = given.SessionToken is null
            ? new BasicAWSCredentials(given.AccessKeyId, given.SecretAccessKey)
            : new SessionAWSCredentials(given.AccessKeyId, given.SecretAccessKey, given.SessionToken);
        return new AmazonS3Client(credentials, config);
    }

    /// <summary>The endpoint as a URL, refused with a message saying what is expected when it is not http(s).</summary>
    public static Uri EndpointUri(S3Connection connection) =>
        Uri.TryCreate(connection.Endpoint, UriKind.Absolute, out var endpoint) && (endpoint.Scheme == "http" || endpoint.Scheme == "https")
            ? endpoint
            : throw new ArgumentException($"Endpoint '{connection.Endpoint}' is not an http(s) URL such as https://oss-cn-hangzhou.aliyuncs.com.");
}
