using System.Text.RegularExpressions;

namespace OssBackup.Engine.Source;

/// <summary>
/// Where the objects of one bucket are on an endpoint: path-style (endpoint/bucket/key) or virtual-hosted
/// (bucket.endpoint/key), chosen as AWSSDK chooses for a custom endpoint, so both clients of a plan
/// address the same URLs. Keys are sent verbatim: dot segments, '//', '+', '%' and control characters
/// are percent-encoded, never normalised.
/// </summary>
public sealed partial class S3ObjectAddressing
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly string _origin;
    private readonly string _pathPrefix;

    public S3ObjectAddressing(Uri endpoint, string bucket, bool forcePathStyle)
    {
        // An IP address cannot take a bucket as a subdomain, and a name with dots or capitals cannot be one.
        IsVirtualHosted = !forcePathStyle && VirtualHostableBucket().IsMatch(bucket) && endpoint.HostNameType == UriHostNameType.Dns;
        Host = IsVirtualHosted ? $"{bucket}.{endpoint.Authority}" : endpoint.Authority;
        _origin = $"{endpoint.Scheme}://{Host}";
        var basePath = endpoint.AbsolutePath.TrimEnd('/');
        _pathPrefix = IsVirtualHosted ? basePath + "/" : $"{basePath}/{SigV4Signer.UriEncode(bucket, keepSlash: false)}/";
    }

    public bool IsVirtualHosted { get; }

    /// <summary>The Host header, as sent and as signed (host, and the port when it is not the scheme's default).</summary>
    public string Host { get; }

    /// <summary>The canonical (signed) path of an object, which is also the path sent on the wire.</summary>
    public string PathOf(string key) => _pathPrefix + SigV4Signer.UriEncode(key, keepSlash: true);

    /// <summary>The URL of an object, built so that .NET sends its path exactly as <see cref="PathOf"/> gives it.</summary>
    public Uri UriOf(string key) => new(_origin + PathOf(key), Verbatim);

    /// <summary>The canonical (signed) path of the bucket itself, as its listings are requested: the path of the empty key.</summary>
    public string BucketPath => _pathPrefix;

    /// <summary>The URL of a request on the bucket itself, with a query already in canonical form (sent as signed).</summary>
    public Uri BucketUriWith(string canonicalQuery) => new($"{_origin}{_pathPrefix}?{canonicalQuery}", Verbatim);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex VirtualHostableBucket();
}
