using System.Net;
using System.Text;
using Amazon.S3;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Source;

/// <summary>
/// The lean GET's handling of what servers answer, with canned HTTP responses (the real server cannot be
/// made to fail on demand); its signing and key encoding are proven against RGW in S3BucketTests.
/// </summary>
public sealed class S3ObjectClientTests
{
    private static readonly S3Connection Connection = new("http://127.0.0.1:9000", "us-east-1", ForcePathStyle: true, new S3Credentials("AKIDTEST", "secret-never-shown"));

    [Fact]
    public async Task Response_headers_become_the_reads_ETag_length_time_storage_class_and_metadata()
    {
        var handler = new CannedHandler(_ => Ok("hello", response =>
        {
            response.Headers.TryAddWithoutValidation("ETag", "\"5d41402abc4b2a76b9719d911017c592\"");
            response.Headers.TryAddWithoutValidation("Cache-Control", "max-age=60");
            response.Headers.TryAddWithoutValidation("x-amz-storage-class", "STANDARD_IA");
            response.Headers.TryAddWithoutValidation("X-Amz-Meta-Zeta", "last");
            response.Headers.TryAddWithoutValidation("x-amz-meta-alpha", "first value");
            response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain; charset=utf-8");
            response.Content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename=\"a b.txt\"");
            response.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
            response.Content.Headers.TryAddWithoutValidation("Expires", "Thu, 01 Dec 2094 16:00:00 GMT");
            response.Content.Headers.TryAddWithoutValidation("Last-Modified", "Wed, 25 Nov 2026 07:00:01 GMT");
        }));
        using var reader = NewReader(handler);

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        Assert.Equal("5d41402abc4b2a76b9719d911017c592", read.ETag);
        Assert.Equal(5, read.Length);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 0, 1, TimeSpan.Zero), read.LastModified);
        Assert.Equal("STANDARD_IA", read.StorageClass);
        Assert.True(read.ETagMayBeMd5);
        Assert.Equal(
            [
                new("Content-Type", "text/plain; charset=utf-8"),
                new("Cache-Control", "max-age=60"),
                new("Content-Disposition", "attachment; filename=\"a b.txt\""),
                new("Content-Encoding", "gzip"),
                new("Expires", "Thu, 01 Dec 2094 16:00:00 GMT"),
                new("x-amz-meta-alpha", "first value"),
                new("x-amz-meta-zeta", "last"),
            ],
            read.Metadata);
        Assert.Equal("hello", await new StreamReader(read.Content).ReadToEndAsync());
    }

    [Fact]
    public async Task An_object_without_a_storage_class_header_is_STANDARD()
    {
        using var reader = NewReader(new CannedHandler(_ => Ok("x")));

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        Assert.Equal("STANDARD", read.StorageClass);
        Assert.Empty(read.Metadata);
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption", "aws:kms")]
    [InlineData("x-amz-server-side-encryption", "aws:kms:dsse")]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", "AES256")]
    [InlineData("x-oss-server-side-encryption-key-id", "key-1")]
    public async Task Objects_encrypted_with_KMS_or_customer_keys_do_not_have_their_ETag_taken_for_an_MD5(string header, string value)
    {
        using var reader = NewReader(new CannedHandler(_ => Ok("x", r => r.Headers.TryAddWithoutValidation(header, value))));

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        Assert.False(read.ETagMayBeMd5);
    }

    [Fact]
    public async Task An_SSE_S3_object_keeps_its_ETag_as_an_MD5()
    {
        using var reader = NewReader(new CannedHandler(_ => Ok("x", r => r.Headers.TryAddWithoutValidation("x-amz-server-side-encryption", "AES256"))));

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        Assert.True(read.ETagMayBeMd5);
    }

    [Fact]
    public async Task NoSuchKey_is_ObjectGoneException_naming_the_key_without_retrying()
    {
        var handler = new CannedHandler(_ => Error(HttpStatusCode.NotFound, "NoSuchKey", "The specified key does not exist."));
        using var reader = NewReader(handler);

        var error = await Assert.ThrowsAsync<ObjectGoneException>(() => reader.OpenReadAsync("gone/key.txt", CancellationToken.None));

        Assert.Equal("gone/key.txt", error.Key);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_as_BucketNotFound()
    {
        using var reader = NewReader(new CannedHandler(_ => Error(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist")));

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => reader.OpenReadAsync("k", CancellationToken.None));

        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
    }

    [Theory]
    [InlineData("AccessDenied")]
    [InlineData("SignatureDoesNotMatch")]
    [InlineData("InvalidAccessKeyId")]
    [InlineData("")]
    public async Task A_403_is_AccessDenied_with_a_message_that_never_shows_the_secret_and_is_not_retried(string code)
    {
        var handler = new CannedHandler(_ => Error(HttpStatusCode.Forbidden, code, "Access Denied"));
        using var reader = NewReader(handler);

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => reader.OpenReadAsync("k", CancellationToken.None));

        Assert.Equal(SourceProblem.AccessDenied, error.Problem);
        Assert.DoesNotContain("secret-never-shown", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown")]
    [InlineData(HttpStatusCode.BadGateway, "")]
    [InlineData(HttpStatusCode.TooManyRequests, "")]
    [InlineData(HttpStatusCode.BadRequest, "RequestTimeout")]
    public async Task Server_errors_and_throttling_are_retried_until_the_object_is_read(HttpStatusCode status, string code)
    {
        var handler = new CannedHandler(call => call <= 2 ? Error(status, code, "try again") : Ok("body"));
        using var reader = NewReader(handler);

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        Assert.Equal("body", await new StreamReader(read.Content).ReadToEndAsync());
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task A_server_error_that_persists_fails_after_the_last_retry_with_its_code()
    {
        var handler = new CannedHandler(_ => Error(HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate."));
        using var reader = NewReader(handler);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => reader.OpenReadAsync("k", CancellationToken.None));

        Assert.Equal("SlowDown", error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1 + S3ObjectClient.MaxRetries, handler.Calls);
    }

    [Fact]
    public async Task A_broken_connection_is_retried_and_one_that_never_works_is_reported_as_Unreachable()
    {
        var flaky = new CannedHandler(call => call == 1 ? throw new HttpRequestException("Connection reset by peer") : Ok("ok"));
        var dead = new CannedHandler(_ => throw new HttpRequestException("Connection refused"));
        using var flakyReader = NewReader(flaky);
        using var deadReader = NewReader(dead);

        await using (var read = await flakyReader.OpenReadAsync("k", CancellationToken.None))
        {
            Assert.Equal("ok", await new StreamReader(read.Content).ReadToEndAsync());
        }
        var error = await Assert.ThrowsAsync<SourceAccessException>(() => deadReader.OpenReadAsync("k", CancellationToken.None));

        Assert.Equal(2, flaky.Calls);
        Assert.Equal(SourceProblem.Unreachable, error.Problem);
        Assert.Equal(1 + S3ObjectClient.MaxRetries, dead.Calls);
    }

    [Fact]
    public async Task A_skewed_clock_is_corrected_from_the_servers_Date_and_the_request_signed_again()
    {
        var serverTime = DateTimeOffset.UtcNow.AddHours(3);
        var handler = new CannedHandler(call => call == 1
            ? Error(HttpStatusCode.Forbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", r => r.Headers.Date = serverTime)
            : Ok("ok"));
        using var reader = NewReader(handler);

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        var retried = DateTimeOffset.ParseExact(handler.Requests[1].Headers.GetValues("x-amz-date").Single(), "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(retried, serverTime.AddMinutes(-1), serverTime.AddMinutes(1));
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task A_session_token_is_sent_as_x_amz_security_token_and_signed()
    {
        var connection = Connection with { Credentials = new S3Credentials("ASIATEMP", "temp-secret", "session-token-value") };
        var handler = new CannedHandler(_ => Ok("ok"));
        using var reader = new S3ObjectClient(connection, "b", handler, TimeSpan.Zero);

        await using var read = await reader.OpenReadAsync("k", CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Equal("session-token-value", request.Headers.GetValues("x-amz-security-token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_goes_to_the_encoded_key_with_the_payload_hash_and_a_signature_for_today()
    {
        var handler = new CannedHandler(_ => Ok("ok"));
        using var reader = NewReader(handler);

        await using var read = await reader.OpenReadAsync("dir/a b+c%.txt", CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Equal("/bucket/dir/a%20b%2Bc%25.txt", request.RequestUri!.PathAndQuery);
        Assert.Equal(SigV4Signer.EmptyPayloadHash, request.Headers.GetValues("x-amz-content-sha256").Single());
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDTEST/{DateTime.UtcNow:yyyyMMdd}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=",
            request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_page_gives_each_entrys_key_size_ETag_time_to_the_millisecond_and_storage_class()
    {
        const string page = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>dir/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
              <Contents>
                <Key>dir/a &amp; b.txt</Key><LastModified>2026-11-25T12:49:01.123Z</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>
                <Size>5</Size><Owner><ID>someone</ID><DisplayName>Some One</DisplayName></Owner><StorageClass>STANDARD_IA</StorageClass>
              </Contents>
              <Contents><Key>dir/ </Key><LastModified>2026-11-25T12:49:02.000Z</LastModified><ETag>"0123456789abcdef0123456789abcdef-2"</ETag><Size>10485760</Size><Type>Normal</Type></Contents>
              <Contents><Key>dir/&#x1;</Key><LastModified>2026-11-25T12:49:03Z</LastModified><ETag></ETag><Size>0</Size><StorageClass/></Contents>
            </ListBucketResult>
            """;
        using var reader = NewReader(new CannedHandler(_ => Ok(page)));

        var listed = await reader.ListPageAsync("dir/", null, 1000, CancellationToken.None);

        Assert.Equal(
            [
                new SourceObject("dir/a & b.txt", 5, "5d41402abc4b2a76b9719d911017c592", new DateTimeOffset(2026, 11, 25, 12, 49, 1, 123, TimeSpan.Zero), "STANDARD_IA"),
                new SourceObject("dir/ ", 10485760, "0123456789abcdef0123456789abcdef-2", new DateTimeOffset(2026, 11, 25, 12, 49, 2, TimeSpan.Zero), "STANDARD"),
                new SourceObject("dir/\u0001", 0, "", new DateTimeOffset(2026, 11, 25, 12, 49, 3, TimeSpan.Zero), "STANDARD"),
            ],
            listed.Objects);
        Assert.Null(listed.NextContinuationToken);
    }

    [Fact]
    public async Task Keys_of_a_listing_that_says_it_is_URL_encoded_are_decoded_whether_spaces_came_as_plus_or_percent_20()
    {
        using var reader = NewReader(new CannedHandler(_ => Ok("""
            <ListBucketResult><Contents><Key>s3/a+b%2Bc%25%EF%BF%BE%01</Key></Contents><Contents><Key>rgw/a%20b%2Bc%EF%BF%BF</Key></Contents>
            <EncodingType>url</EncodingType><IsTruncated>false</IsTruncated></ListBucketResult>
            """)));

        var listed = await reader.ListPageAsync("", null, 1000, CancellationToken.None);

        Assert.Equal(["s3/a b+c%\uFFFE\u0001", "rgw/a b+c\uFFFF"], listed.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task A_truncated_listing_gives_the_token_of_the_next_page_and_a_complete_one_none()
    {
        using var reader = NewReader(new CannedHandler(call => Ok(call == 1
            ? "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>1/token+=</NextContinuationToken><Contents><Key>a</Key></Contents></ListBucketResult>"
            : "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>stale</NextContinuationToken></ListBucketResult>")));

        var first = await reader.ListPageAsync("", null, 100, CancellationToken.None);
        var last = await reader.ListPageAsync("", first.NextContinuationToken, 1000, CancellationToken.None);

        Assert.Equal("1/token+=", first.NextContinuationToken);
        Assert.Equal("a", Assert.Single(first.Objects).Key);
        Assert.Null(last.NextContinuationToken);
        Assert.Empty(last.Objects);
    }

    [Fact]
    public async Task A_listing_request_sends_and_signs_its_query_in_canonical_form()
    {
        var handler = new CannedHandler(_ => Ok("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"));
        using var reader = NewReader(handler);

        await reader.ListPageAsync("a b/日+", "1/token+=", 1000, CancellationToken.None);
        await reader.ListPageAsync("", null, 100, CancellationToken.None);

        Assert.Equal("/bucket/?continuation-token=1%2Ftoken%2B%3D&encoding-type=url&list-type=2&max-keys=1000&prefix=a%20b%2F%E6%97%A5%2B", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Equal("/bucket/?encoding-type=url&list-type=2&max-keys=100", handler.Requests[1].RequestUri!.PathAndQuery);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDTEST/{DateTime.UtcNow:yyyyMMdd}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=",
            handler.Requests[0].Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_is_retried_after_a_server_error_or_a_broken_connection_and_a_missing_bucket_is_BucketNotFound()
    {
        var flaky = new CannedHandler(call => call switch
        {
            1 => Error(HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate."),
            2 => throw new HttpRequestException("Connection reset by peer"),
            _ => Ok("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>"),
        });
        using var flakyReader = NewReader(flaky);
        using var missingReader = NewReader(new CannedHandler(_ => Error(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist")));

        var listed = await flakyReader.ListPageAsync("", null, 1000, CancellationToken.None);
        var error = await Assert.ThrowsAsync<SourceAccessException>(() => missingReader.ListPageAsync("", null, 1000, CancellationToken.None));

        Assert.Equal("k", Assert.Single(listed.Objects).Key);
        Assert.Equal(3, flaky.Calls);
        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
    }

    [Fact]
    public async Task A_listing_answer_that_is_not_a_ListBucketResult_is_InvalidDataException()
    {
        using var reader = NewReader(new CannedHandler(_ => Ok("<html><body>proxy login</body></html>")));

        await Assert.ThrowsAsync<InvalidDataException>(() => reader.ListPageAsync("", null, 1000, CancellationToken.None));
    }

    [Fact]
    public async Task A_streamed_PUT_may_take_longer_than_its_stall_timeout_as_long_as_bytes_keep_moving()
    {
        // 20 writes of 64 KiB, 150 ms apart: 3 s in all, each gap far inside the 1.5 s stall timeout
        // (which leaves room for a loaded machine's timer and thread-pool delays).
        var handler = new ConsumingHandler((_, _) => new SlowStream(TimeSpan.FromMilliseconds(150)));
        using var client = new S3ObjectClient(Connection, "bucket", handler, TimeSpan.Zero) { PutStallTimeout = TimeSpan.FromSeconds(1.5) };
        var body = new PatternBody(20, 64 << 10);

        await client.PutAsync("big.bin", body, new byte[16], [new("Content-Type", "application/octet-stream")], CancellationToken.None);

        Assert.Equal(1, handler.Calls);
        Assert.Equal(1, body.Writes);
        Assert.Equal(20L * (64 << 10), handler.BytesReceived);
        var request = handler.Requests.Single();
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("UNSIGNED-PAYLOAD", request.Headers.GetValues("x-amz-content-sha256").Single());
        Assert.Equal(Convert.ToBase64String(new byte[16]), request.Content!.Headers.GetValues("Content-MD5").Single());
        Assert.Contains("content-md5", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_PUT_whose_connection_stalls_is_abandoned_and_sent_again()
    {
        // The first connection takes 128 KiB, then nothing more; the second takes everything.
        var handler = new ConsumingHandler((call, token) => call == 1 ? new StallingStream(128 << 10) : new SlowStream(TimeSpan.Zero));
        using var client = new S3ObjectClient(Connection, "bucket", handler, TimeSpan.Zero) { PutStallTimeout = TimeSpan.FromMilliseconds(300) };
        var body = new PatternBody(8, 64 << 10);

        await client.PutAsync("big.bin", body, new byte[16], [], CancellationToken.None);

        Assert.Equal(2, handler.Calls);
        Assert.Equal(2, body.Writes);
    }

    [Fact]
    public async Task A_streamed_PUT_refused_for_its_MD5_is_a_ContentDigestMismatchException_and_is_not_retried()
    {
        var handler = new ConsumingHandler((_, _) => new SlowStream(TimeSpan.Zero), _ => Error(HttpStatusCode.BadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received."));
        using var client = new S3ObjectClient(Connection, "bucket", handler, TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<ContentDigestMismatchException>(() => client.PutAsync("k", new PatternBody(1, 1024), new byte[16], [], CancellationToken.None));

        Assert.Contains("'k'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
    }

    /// <summary>A body of <paramref name="writes"/> writes of <paramref name="size"/> bytes, counting how often it is written out.</summary>
    private sealed class PatternBody(int writes, int size) : IObjectBody
    {
        private int _writes;

        public int Writes => _writes;
        public long Length => (long)writes * size;

        public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            var buffer = new byte[size];
            for (var i = 0; i < writes; i++)
            {
                await destination.WriteAsync(buffer, cancellationToken);
            }
        }
    }

    /// <summary>Reads each request's body into a stream of the test's choosing, then answers (200 unless told).</summary>
    private sealed class ConsumingHandler(Func<int, CancellationToken, Stream> sink, Func<int, HttpResponseMessage>? answer = null) : HttpMessageHandler
    {
        private int _calls;
        private long _bytes;

        public int Calls => _calls;
        public long BytesReceived => Interlocked.Read(ref _bytes);
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            lock (Requests)
            {
                Requests.Add(request);
            }
            var destination = sink(call, cancellationToken);
            await request.Content!.CopyToAsync(destination, cancellationToken);
            Interlocked.Exchange(ref _bytes, destination.Length);
            var response = answer?.Invoke(call) ?? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
            response.RequestMessage = request;
            return response;
        }
    }

    /// <summary>Takes every write after a pause, like a slow but live connection.</summary>
    private sealed class SlowStream(TimeSpan pause) : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(pause, cancellationToken);
            Seek(0, SeekOrigin.End);
            await base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Takes <paramref name="limit"/> bytes, then blocks every write until the request is cancelled: a dead connection.</summary>
    private sealed class StallingStream(long limit) : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Length >= limit)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            await base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    private static S3ObjectClient NewReader(HttpMessageHandler handler) => new(Connection, "bucket", handler, TimeSpan.Zero);

    private static HttpResponseMessage Ok(string body, Action<HttpResponseMessage>? headers = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        headers?.Invoke(response);
        return response;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message, Action<HttpResponseMessage>? headers = null)
    {
        var xml = code.Length == 0 ? "" : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>req-1</RequestId></Error>";
        var response = new HttpResponseMessage(status) { Content = new StringContent(xml, Encoding.UTF8, "application/xml") };
        headers?.Invoke(response);
        return response;
    }

    /// <summary>Answers each request with the response for its call number (1-based) and keeps the requests.</summary>
    private sealed class CannedHandler(Func<int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            lock (Requests)
            {
                Requests.Add(request);
            }
            var response = answer(call);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
