using System.Net;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;

namespace OssBackup.Engine.Source;

/// <summary>
/// GETs object bodies, and PUTs streamed ones (<see cref="PutAsync"/>), with a plain HttpClient and our own SigV4 signature. AWSSDK's request pipeline
/// costs about 0.4 ms of client CPU per GET, which on a small object is most of the client's work; the
/// SDK stays in use for listings and everything else. Failures come out as the SDK path gave them:
/// 404 NoSuchKey as <see cref="ObjectGoneException"/>, other S3 errors as AmazonS3Exception explained by
/// <see cref="S3Errors"/> (403 as AccessDenied); throttling, 5xx, timeouts and broken connections are
/// retried with backoff, and a skewed clock is corrected from the server's Date, as the SDK does.
/// </summary>
public sealed class S3ObjectClient : IDisposable
{
    /// <summary>Retries after the first attempt, as the SDK client is configured (MaxErrorRetry).</summary>
    public const int MaxRetries = 4;

    /// <summary>The headers kept with an object besides its user metadata, read on backup and written back on restore.</summary>
    internal static readonly string[] StandardHeaders = ["Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Expires"];
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;

    // PUTs are bounded by a stall timeout instead of HttpClient's total one: 100 MiB on a slow link may
    // rightly take longer than five minutes, but no byte moving for minutes means a dead connection.
    private readonly HttpClient _unboundedHttp;
    private readonly S3ObjectAddressing _addressing;
    private readonly SigV4Signer _signer;
    private readonly string? _sessionToken;
    private readonly TimeSpan _retryBaseDelay;
    private long _clockOffsetTicks;

    public S3ObjectClient(S3Connection connection, string bucket, int maxConnections = 64)
        : this(connection, bucket, NewHandler(maxConnections), TimeSpan.FromMilliseconds(100))
    {
    }

    /// <summary>With another HTTP stack (tests answer with canned responses) and backoff base delay.</summary>
    internal S3ObjectClient(S3Connection connection, string bucket, HttpMessageHandler handler, TimeSpan retryBaseDelay)
    {
        var endpoint = S3ClientFactory.EndpointUri(connection);
        _addressing = new S3ObjectAddressing(endpoint, bucket, connection.ForcePathStyle);
        _signer = new SigV4Signer(connection.Credentials, string.IsNullOrEmpty(connection.Region) ? "us-east-1" : connection.Region);
        _sessionToken = connection.Credentials.SessionToken;
        _retryBaseDelay = retryBaseDelay;
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromMinutes(5) };
        _unboundedHttp = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        Description = $"{connection.Endpoint.TrimEnd('/')}/{bucket}";
    }

    public string Description { get; }

    /// <summary>How long a streamed PUT may go without sending a byte before it is abandoned (and retried).</summary>
    internal TimeSpan PutStallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the server may take to answer once a streamed PUT's body is sent.</summary>
    internal TimeSpan PutResponseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far the server's clock is ahead of ours, learnt from a RequestTimeTooSkewed answer.</summary>
    public TimeSpan ClockOffset => TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

    /// <summary>Opens an object's body with the metadata its response headers carry.</summary>
    /// <exception cref="ObjectGoneException">The object does not exist (any more).</exception>
    public Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        SendGetAsync(
            _addressing.UriOf(key),
            _addressing.PathOf(key),
            "",
            (response, token) => ToSourceReadAsync(key, response, token),
            error => error.Status == HttpStatusCode.NotFound && error.Code == "NoSuchKey" ? new ObjectGoneException(key) : null,
            cancellationToken);

    /// <summary>
    /// One page of a ListObjectsV2 listing of the keys under <paramref name="prefix"/>, in key order, from
    /// <paramref name="continuationToken"/> (null: the first page). Parsed here rather than by AWSSDK, whose
    /// response pipeline and unmarshalling cost about 35 µs of client CPU per key listed, as much as a small object's GET.
    /// Keys are asked for URL-encoded (encoding-type=url): XML 1.0 cannot carry some characters keys may hold (U+FFFE,
    /// U+FFFF), and a listing holding one would fail whole, as it does through AWSSDK, which does not ask.
    /// </summary>
    public Task<S3ListPage> ListPageAsync(string prefix, string? continuationToken, int maxKeys, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>(5)
        {
            new("list-type", "2"),
            new("encoding-type", "url"),
            new("max-keys", maxKeys.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (prefix.Length > 0)
        {
            parameters.Add(new("prefix", prefix));
        }
        if (continuationToken is not null)
        {
            parameters.Add(new("continuation-token", continuationToken));
        }
        var query = SigV4Signer.CanonicalQuery(parameters);
        return SendGetAsync(
            _addressing.BucketUriWith(query),
            _addressing.BucketPath,
            query,
            async (response, token) =>
            {
                using (response)
                {
                    // A page is at most a few hundred KB: buffered, so that a connection broken mid-body is retried like any other.
                    var body = await response.Content.ReadAsByteArrayAsync(token);
                    return S3ListPage.Parse(body);
                }
            },
            _ => null,
            cancellationToken);
    }

    /// <summary>
    /// Sends a signed GET until it succeeds or fails for good, and hands the successful response to
    /// <paramref name="read"/>, which owns it from then on. Failures of <paramref name="read"/> that a new
    /// request may cure (a broken connection) are retried with the request. <paramref name="refusal"/> turns an
    /// error reply into the exception the caller documents, or null for the usual handling.
    /// </summary>
    private async Task<T> SendGetAsync<T>(Uri uri, string path, string canonicalQuery, Func<HttpResponseMessage, CancellationToken, Task<T>> read, Func<S3ErrorReply, Exception?> refusal, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                using var request = NewSignedRequest(HttpMethod.Get, uri, path, canonicalQuery, [], SigV4Signer.EmptyPayloadHash);
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt < MaxRetries)
                {
                    await Task.Delay(Backoff(attempt), cancellationToken);
                    continue;
                }
                throw S3Errors.Explain(e, Description);
            }

            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await read(response, cancellationToken);
                }
                catch (Exception e) when (IsTransient(e, cancellationToken) && attempt < MaxRetries)
                {
                    response.Dispose();
                    await Task.Delay(Backoff(attempt), cancellationToken);
                    continue;
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            S3ErrorReply error;
            using (response)
            {
                error = await S3ErrorReply.ReadAsync(response, cancellationToken);
            }
            if (refusal(error) is { } refused)
            {
                throw refused;
            }
            if (await RetryAfterAsync(error, attempt, cancellationToken))
            {
                continue;
            }
            throw S3Errors.Explain(error.ToException(), Description);
        }
    }

    /// <summary>
    /// PUTs one object from <paramref name="body"/>, streamed, never buffered whole. The payload is sent
    /// unsigned (UNSIGNED-PAYLOAD: signing it would mean reading it twice) and protected by its
    /// Content-MD5, which is signed and which the server checks. <paramref name="headers"/> are sent and
    /// signed as given (Content-Type and the other standard headers, x-amz-meta-*, x-amz-storage-class).
    /// Transient failures are retried like a GET, writing the body again from its start.
    /// </summary>
    /// <exception cref="ContentDigestMismatchException">The server's MD5 of the bytes it received differs (BadDigest).</exception>
    public async Task PutAsync(string key, IObjectBody body, ReadOnlyMemory<byte> contentMd5, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        if (contentMd5.Length != 16)
        {
            throw new ArgumentException("A streamed PUT needs the content's MD5 (16 bytes).", nameof(contentMd5));
        }
        var path = _addressing.PathOf(key);
        var uri = _addressing.UriOf(key);
        var signedHeaders = new List<KeyValuePair<string, string>>(headers) { new("Content-MD5", Convert.ToBase64String(contentMd5.Span)) };
        for (var attempt = 0; ; attempt++)
        {
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var content = new BodyContent(body, watchdog, PutStallTimeout, PutResponseTimeout);
            HttpResponseMessage response;
            try
            {
                using var request = NewSignedRequest(HttpMethod.Put, uri, path, "", signedHeaders, SigV4Signer.UnsignedPayload);
                foreach (var (name, value) in signedHeaders)
                {
                    if (!request.Headers.TryAddWithoutValidation(name, value))
                    {
                        content.Headers.TryAddWithoutValidation(name, value);
                    }
                }
                request.Content = content;
                // The server refuses a bad signature or storage class before the body: do not send 100 MiB to hear it.
                request.Headers.ExpectContinue = true;
                watchdog.CancelAfter(PutResponseTimeout);
                response = await _unboundedHttp.SendAsync(request, HttpCompletionOption.ResponseContentRead, watchdog.Token);
            }
            catch (Exception) when (content.ReadFault is { } fault)
            {
                // The body's own source failed (a damaged vault chunk): not the network's doing, not worth a retry.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
                throw;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt < MaxRetries)
                {
                    await Task.Delay(Backoff(attempt), cancellationToken);
                    continue;
                }
                throw S3Errors.Explain(e, Description);
            }

            S3ErrorReply error;
            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                error = await S3ErrorReply.ReadAsync(response, cancellationToken);
            }
            if (error.Code == "BadDigest")
            {
                throw new ContentDigestMismatchException($"{Description}: the server refused '{key}' because the bytes it received do not have the MD5 sent with them ({error.Message}).");
            }
            if (await RetryAfterAsync(error, attempt, cancellationToken))
            {
                continue;
            }
            throw S3Errors.Explain(error.ToException(), Description);
        }
    }

    /// <summary>
    /// Whether a refused request is worth sending again: after learning the server's clock from a
    /// RequestTimeTooSkewed answer, or after a backoff for throttling and server errors.
    /// </summary>
    private async Task<bool> RetryAfterAsync(S3ErrorReply error, int attempt, CancellationToken cancellationToken)
    {
        if (attempt >= MaxRetries)
        {
            return false;
        }
        if (error.Code == "RequestTimeTooSkewed" && error.ServerTime is { } serverTime)
        {
            Interlocked.Exchange(ref _clockOffsetTicks, (serverTime - DateTimeOffset.UtcNow).Ticks);
            return true;
        }
        if (error.IsRetryable)
        {
            await Task.Delay(Backoff(attempt), cancellationToken);
            return true;
        }
        return false;
    }

    /// <summary>A request with its x-amz headers and Authorization; <paramref name="otherSigned"/> are signed too but left for the caller to add.</summary>
    private HttpRequestMessage NewSignedRequest(HttpMethod method, Uri uri, string path, string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> otherSigned, string payloadHash)
    {
        var signed = new List<KeyValuePair<string, string>>(4 + otherSigned.Count)
        {
            new("host", _addressing.Host),
            new("x-amz-content-sha256", payloadHash),
            new("x-amz-date", SigV4Signer.AmzDate(DateTimeOffset.UtcNow + ClockOffset)),
        };
        if (_sessionToken is not null)
        {
            signed.Add(new("x-amz-security-token", _sessionToken));
        }
        var request = new HttpRequestMessage(method, uri);
        // HttpClient writes Host from the URL itself, the same value the signature covers.
        foreach (var (name, value) in signed.Skip(1))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        signed.AddRange(otherSigned);
        request.Headers.TryAddWithoutValidation("Authorization", _signer.Authorization(method.Method, path, canonicalQuery, signed, payloadHash));
        return request;
    }

    /// <summary>An <see cref="IObjectBody"/> as HTTP content, remembering a failure of the body's own source apart from the network's.</summary>
    /// <remarks>
    /// Every write to the connection restarts <paramref name="watchdog"/>'s countdown at
    /// <paramref name="stallTimeout"/>; once the body is sent, the server has <paramref name="responseTimeout"/> to answer.
    /// </remarks>
    private sealed class BodyContent(IObjectBody body, CancellationTokenSource watchdog, TimeSpan stallTimeout, TimeSpan responseTimeout) : HttpContent
    {
        public Exception? ReadFault { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var recording = new FaultRecordingTarget(stream, () => watchdog.CancelAfter(stallTimeout));
            try
            {
                await body.WriteToAsync(recording, cancellationToken);
                watchdog.CancelAfter(responseTimeout);
            }
            catch (Exception e) when (!recording.Faulted && e is not OperationCanceledException)
            {
                ReadFault = e;
                throw;
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    /// <summary>
    /// The connection's stream, noting whether a write to it failed (the network's fault, unlike a failure
    /// of the body) and calling <paramref name="beforeWrite"/> before each write.
    /// </summary>
    private sealed class FaultRecordingTarget(Stream inner, Action beforeWrite) : Util.ForwardingWriteStream(inner)
    {
        public bool Faulted { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            beforeWrite();
            try
            {
                await Inner.WriteAsync(buffer, cancellationToken);
            }
            catch
            {
                Faulted = true;
                throw;
            }
        }
    }

    private static async Task<SourceRead> ToSourceReadAsync(string key, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength
            ?? throw new InvalidDataException($"Object '{key}': the server's response has no Content-Length.");
        var metadata = new List<KeyValuePair<string, string>>();
        foreach (var name in StandardHeaders)
        {
            if (Header(response, name) is { Length: > 0 } value)
            {
                metadata.Add(new(name, value));
            }
        }
        var userMetadata = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            if (name.StartsWith(Vault.ObjectEntry.UserMetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                userMetadata.Add(new(name.ToLowerInvariant(), values.ToString()));
            }
        }
        userMetadata.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        metadata.AddRange(userMetadata);

        var encryption = Header(response, "x-amz-server-side-encryption");
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new SourceRead(
            body,
            length,
            SourceObject.NormalizeETag(Header(response, "ETag")),
            response.Content.Headers.LastModified?.ToUniversalTime() ?? DateTimeOffset.UnixEpoch,
            Header(response, "x-amz-storage-class") is { Length: > 0 } storageClass ? storageClass : "STANDARD",
            metadata,
            response)
        {
            // With KMS or customer keys the ETag is not the content's MD5, even when it looks like one.
            ETagMayBeMd5 = !string.Equals(encryption, "aws:kms", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(encryption, "aws:kms:dsse", StringComparison.OrdinalIgnoreCase)
                && Header(response, "x-amz-server-side-encryption-customer-algorithm") is null
                && Header(response, "x-oss-server-side-encryption-key-id") is null,
        };
    }

    /// <summary>A header's value as the server sent it (several values joined by ", "), from the response or its content.</summary>
    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? values.ToString()
            : null;

    private static bool IsTransient(Exception error, CancellationToken cancellationToken) => error switch
    {
        HttpRequestException or IOException => true,
        // HttpClient's own timeout or a PUT's stall watchdog, not the caller's cancellation.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Exponential backoff with full jitter, so retrying workers do not hit the server in step.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, _retryBaseDelay.TotalMilliseconds * (1 << attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private static SocketsHttpHandler NewHandler(int maxConnections) => new()
    {
        MaxConnectionsPerServer = maxConnections,
        // Bodies are backed up as stored: a gzip Content-Encoding must not be undone on the way.
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        // User metadata restored as it was read; S3 takes its non-ASCII bytes as UTF-8.
        RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    };

    public void Dispose()
    {
        _unboundedHttp.Dispose();
        _http.Dispose();
    }

    /// <summary>An S3 error response: status, and the code, message and request id of its XML body when it has one.</summary>
    internal sealed record S3ErrorReply(HttpStatusCode Status, string Code, string Message, string RequestId, DateTimeOffset? ServerTime)
    {
        private static readonly string[] RetryableCodes = ["SlowDown", "InternalError", "RequestTimeout", "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestLimitExceeded"];

        public bool IsRetryable => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests || RetryableCodes.Contains(Code);

        public static async Task<S3ErrorReply> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            string? code = null, message = null, requestId = null;
            try
            {
                var root = text.Length == 0 ? null : XDocument.Parse(text).Root;
                code = root?.Element("Code")?.Value;
                message = root?.Element("Message")?.Value;
                requestId = root?.Element("RequestId")?.Value;
            }
            catch (XmlException)
            {
                // Not S3's XML (a proxy's page): the status line says what there is to say.
            }
            requestId ??= Header(response, "x-amz-request-id");
            return new S3ErrorReply(
                response.StatusCode,
                code ?? "",
                string.IsNullOrEmpty(message) ? $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd() : message,
                requestId ?? "",
                response.Headers.Date);
        }

        public AmazonS3Exception ToException() =>
            new(Message, (int)Status >= 500 ? ErrorType.Receiver : ErrorType.Sender, Code, RequestId, Status);
    }
}
