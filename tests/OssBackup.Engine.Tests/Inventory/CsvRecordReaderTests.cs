using System.Text;
using OssBackup.Engine.Inventory;

namespace OssBackup.Engine.Tests.Inventory;

public sealed class CsvRecordReaderTests
{
    [Fact]
    public async Task Quoted_and_unquoted_fields_mix_in_one_record()
    {
        var records = await ReadAsync("bucket,\"dir%2Fbody.xml\",102400,\"Standard\"\n");

        Assert.Equal([["bucket", "dir%2Fbody.xml", "102400", "Standard"]], records);
    }

    [Fact]
    public async Task Doubled_quotes_inside_quotes_are_one_quote()
    {
        var records = await ReadAsync("\"say \"\"hi\"\"\",\"\"\"\",\"\"\"etag\"\"\"\n");

        Assert.Equal([["say \"hi\"", "\"", "\"etag\""]], records);
    }

    [Fact]
    public async Task Commas_CR_and_LF_inside_quotes_are_data()
    {
        var records = await ReadAsync("\"a,b\",\"line1\nline2\",\"cr\r\nlf\"\nnext,row\n");

        Assert.Equal([["a,b", "line1\nline2", "cr\r\nlf"], ["next", "row"]], records);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task Records_end_with_LF_or_CRLF_and_the_CR_is_not_part_of_the_last_field(string newline)
    {
        var records = await ReadAsync($"a,b{newline}\"c\",d{newline}e,\"f\"{newline}");

        Assert.Equal([["a", "b"], ["c", "d"], ["e", "f"]], records);
    }

    [Fact]
    public async Task The_last_record_needs_no_line_end()
    {
        Assert.Equal([["a", "b"], ["c", "d"]], await ReadAsync("a,b\nc,d"));
        Assert.Equal([["a", "b"], ["c", "d"]], await ReadAsync("a,b\n\"c\",\"d\""));
    }

    [Fact]
    public async Task Trailing_blank_lines_are_ignored_but_counted_in_record_numbers()
    {
        using var reader = new CsvRecordReader(Stream("a\n\r\n\nb\n\n\r\n\n"));

        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(1, reader.RecordNumber);
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("b", reader.GetString(0));
        Assert.Equal(4, reader.RecordNumber);
        Assert.False(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Empty_fields_quoted_or_not_are_empty_and_a_trailing_comma_adds_one()
    {
        var records = await ReadAsync("\"\",,x,\n,\"\"\n");

        Assert.Equal([["", "", "x", ""], ["", ""]], records);
    }

    [Fact]
    public async Task An_empty_stream_has_no_records()
    {
        Assert.Empty(await ReadAsync(""));
        Assert.Empty(await ReadAsync("\n\n"));
    }

    [Fact]
    public async Task Fields_keep_their_UTF8_bytes()
    {
        var records = await ReadAsync("数据,\"emoji 😀\",é\n");

        Assert.Equal([["数据", "emoji 😀", "é"]], records);
    }

    [Fact]
    public async Task IsQuoted_tells_how_each_field_was_written()
    {
        using var reader = new CsvRecordReader(Stream("bare,\"quoted\"\n"));
        await reader.ReadAsync(CancellationToken.None);

        Assert.False(reader.IsQuoted(0));
        Assert.True(reader.IsQuoted(1));
    }

    [Fact]
    public async Task A_quote_left_open_at_the_end_is_an_error_naming_the_record()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync("a,b\nc,\"open\n"));

        Assert.Equal(2, error.Record);
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_after_a_closing_quote_is_an_error_naming_the_record()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync("ok\n\"a\"b,c\n"));

        Assert.Equal(2, error.Record);
        Assert.Contains("after its closing quote", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(1 << 20)]
    public async Task Records_split_across_reads_and_longer_than_the_buffer_parse_the_same(int bufferSize)
    {
        var random = new Random(bufferSize);
        var expected = new List<string[]>();
        var text = new StringBuilder();
        for (var r = 0; r < 500; r++)
        {
            var fields = new string[random.Next(1, 9)];
            for (var f = 0; f < fields.Length; f++)
            {
                fields[f] = RandomField(random);
                var mustQuote = fields[f].IndexOfAny([',', '"', '\r', '\n']) >= 0 || (fields.Length == 1 && fields[f].Length == 0);
                text.Append(mustQuote || random.Next(2) == 0 ? "\"" + fields[f].Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : fields[f]);
                text.Append(f < fields.Length - 1 ? "," : random.Next(2) == 0 ? "\n" : "\r\n");
            }
            expected.Add(fields);
        }

        var records = await ReadAsync(text.ToString(), bufferSize, trickle: true);

        Assert.Equal(expected, records);
    }

    private static string RandomField(Random random)
    {
        string[] pieces = ["a", "key%2F", "+", " ", ",", "\"", "\"\"", "\n", "\r\n", "数据", "😀", "x", "1234567890", ""];
        var text = new StringBuilder();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }
        if (random.Next(20) == 0)
        {
            text.Append(new string('L', random.Next(20, 200)));
        }
        return text.ToString();
    }

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <param name="trickle">Deliver at most 7 bytes per read, as a slow network or a gzip stream may.</param>
    private static async Task<List<string[]>> ReadAsync(string text, int bufferSize = 1 << 16, bool trickle = false)
    {
        Stream stream = Stream(text);
        if (trickle)
        {
            stream = new TrickleStream(stream, 7);
        }
        using var reader = new CsvRecordReader(stream, bufferSize);
        var records = new List<string[]>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            records.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }
        return records;
    }

    private sealed class TrickleStream(Stream inner, int chunk) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, chunk));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
