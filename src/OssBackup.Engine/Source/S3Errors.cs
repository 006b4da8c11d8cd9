using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace OssBackup.Engine.Source;

/// <summary>Turns SDK exceptions into messages that say what is wrong and what to do.</summary>
public static class S3Errors
{
    public static Exception Explain(Exception error, string where)
    {
        switch (error)
        {
            case AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket":
                return new SourceAccessException(SourceProblem.BucketNotFound, $"Bucket '{where}' does not exist. Check -SourceBucket and -Endpoint.", error);
            case AmazonS3Exception s3 when s3.ErrorCode is "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "AccessDenied" || s3.StatusCode == HttpStatusCode.Forbidden:
                return new SourceAccessException(SourceProblem.AccessDenied, $"Access to '{where}' was refused ({s3.ErrorCode}): check the access key id and secret.", error);
            case AmazonServiceException service when service.InnerException is HttpRequestException or SocketException:
            case HttpRequestException:
            case SocketException:
                return new SourceAccessException(SourceProblem.Unreachable, $"Endpoint of '{where}' cannot be reached: {Innermost(error).Message}", error);
            default:
                return error;
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}

public enum SourceProblem
{
    BucketNotFound,
    AccessDenied,
    Unreachable,
}

public sealed class SourceAccessException(SourceProblem problem, string message, Exception inner) : Exception(message, inner)
{
    public SourceProblem Problem { get; } = problem;
}
