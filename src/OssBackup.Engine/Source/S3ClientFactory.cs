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
        if (!Uri.TryCreate(connection.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != "http" && endpoint.Scheme != "https"))
        {
            throw new ArgumentException($"Endpoint '{connection.Endpoint}' is not an http(s) URL such as https://oss-cn-hangzhou.aliyuncs.com.");
        }
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
        var credentials = new BasicAWSCredentials(connection.Credentials.AccessKeyId, connection.Credentials.SecretAccessKey);
        return new AmazonS3Client(credentials, config);
    }
}
