using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OssBackup.Engine.Source;

/// <summary>
/// AWS Signature Version 4 in the header form (Authorization header), as S3, OSS and Ceph RGW accept it.
/// Paths and queries must already be in canonical form (see <see cref="UriEncode"/>): S3 signs the path
/// exactly as sent, without normalising dot segments or encoding it twice.
/// </summary>
public sealed class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of no bytes: the payload hash of a GET.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The payload hash of a request whose body is not signed (its integrity rests on Content-MD5).</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    private readonly S3Credentials _credentials;
    private readonly string _region;
    private readonly string _service;

    // The signing key depends only on the day, so it is derived once a day rather than once a request.
    private SigningKey? _key;

    public SigV4Signer(S3Credentials credentials, string region, string service = "s3")
    {
        _credentials = credentials;
        _region = region;
        _service = service;
    }

    /// <summary>The x-amz-date form of a time: yyyyMMddTHHmmssZ in UTC.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The Authorization header value of a request. <paramref name="headers"/> are the headers to sign, with
    /// any names; they must include host and x-amz-date (whose value is the time of the signature).
    /// </summary>
    public string Authorization(string method, string canonicalPath, string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> headers, string payloadHash)
    {
        var sorted = new KeyValuePair<string, string>[headers.Count];
        for (var i = 0; i < headers.Count; i++)
        {
            sorted[i] = new(headers[i].Key.ToLowerInvariant(), CanonicalHeaderValue(headers[i].Value));
        }
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var amzDate = Array.Find(sorted, h => h.Key == "x-amz-date").Value
            ?? throw new ArgumentException("The signed headers must include x-amz-date.", nameof(headers));

        var canonical = new StringBuilder(256)
            .Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n');
        var signedHeaders = new StringBuilder(64);
        foreach (var (name, value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
            signedHeaders.Append(signedHeaders.Length == 0 ? "" : ";").Append(name);
        }
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var date = amzDate[..8];
        var scope = $"{date}/{_region}/{_service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signature = Hex(Sign(date, Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={_credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>
    /// SigV4's URI encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) as they are, every other UTF-8 byte
    /// as %XX in upper case; '/' kept when <paramref name="keepSlash"/> (object key paths) and encoded in query values.
    /// </summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var result = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'
                || (keepSlash && b == (byte)'/'))
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }
        return result.ToString();
    }

    /// <summary>A query string in canonical form: names and values encoded, sorted by encoded name, then value.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: UriEncode(p.Key, keepSlash: false), Value: UriEncode(p.Value, keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    /// <summary>The key HMACs are signed with on <paramref name="date"/> (yyyyMMdd).</summary>
    public byte[] KeyFor(string date) => SigningKeyFor(date).Key;

    /// <summary>
    /// The HMAC-SHA256 of <paramref name="stringToSign"/> under the day's key, with an HMAC context kept for reuse: a
    /// one-shot HMAC sets one up and frees it on every request, which costs more than signing a GET's few hundred bytes.
    /// </summary>
    private byte[] Sign(string date, byte[] stringToSign)
    {
        var key = SigningKeyFor(date);
        if (!key.Hmacs.TryTake(out var hmac))
        {
            hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Key);
        }
        hmac.AppendData(stringToSign);
        var signature = hmac.GetHashAndReset();
        key.Hmacs.Add(hmac);
        return signature;
    }

    private SigningKey SigningKeyFor(string date)
    {
        var current = _key;
        if (current is not null && current.Date == date)
        {
            return current;
        }
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + _credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        // Racing threads derive the same key; whichever is stored last is as good as the other. The HMAC contexts of a
        // replaced day are left to their finalizers: a request may still be signing with one.
        var signingKey = new SigningKey(date, key);
        _key = signingKey;
        return signingKey;
    }

    private static string CanonicalHeaderValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }
        var collapsed = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            if (c != ' ' || collapsed.Length == 0 || collapsed[^1] != ' ')
            {
                collapsed.Append(c);
            }
        }
        return collapsed.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private sealed class SigningKey(string date, byte[] key)
    {
        public string Date { get; } = date;
        public byte[] Key { get; } = key;
        public System.Collections.Concurrent.ConcurrentBag<IncrementalHash> Hmacs { get; } = [];
    }
}
