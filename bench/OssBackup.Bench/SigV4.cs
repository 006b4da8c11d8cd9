using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OssBackup.Bench;

/// <summary>
/// A minimal AWS Signature Version 4 signer for GET requests with UNSIGNED-PAYLOAD (the header-auth form
/// S3 and RGW accept): what a hand-rolled GET path in the engine would cost, without AWSSDK's pipeline.
/// </summary>
public sealed class SigV4(string accessKey, string secretKey, string region)
{
    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private const string SignedHeaders = "host;x-amz-content-sha256;x-amz-date";
    private readonly object _gate = new();
    private string _keyDate = "";
    private byte[] _key = [];

    /// <summary>Adds x-amz-date, x-amz-content-sha256 and Authorization to a GET of <paramref name="url"/>.</summary>
    public HttpRequestMessage NewGet(Uri url, DateTime utcNow)
    {
        var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
        // The URL's path is already percent-encoded once per segment, as S3 canonicalises it.
        var canonical = $"GET\n{url.AbsolutePath}\n{url.Query.TrimStart('?')}\nhost:{host}\nx-amz-content-sha256:{UnsignedPayload}\nx-amz-date:{amzDate}\n\n{SignedHeaders}\n{UnsignedPayload}";
        var scope = $"{date}/{region}/s3/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(toSign)));
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", UnsignedPayload);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={SignedHeaders}, Signature={signature}");
        return request;
    }

    private byte[] SigningKey(string date)
    {
        lock (_gate)
        {
            if (_keyDate != date)
            {
                var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
                key = HMACSHA256.HashData(key, "s3"u8);
                _key = HMACSHA256.HashData(key, "aws4_request"u8);
                _keyDate = date;
            }
            return _key;
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
