using System.IO.Compression;
using System.Text;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// Streams the rows of one data file: GET -> MD5 and byte count of the compressed bytes -> gzip -> CSV -> rows
/// mapped by the manifest's schema. At the end of the file the size and MD5 are checked against the manifest.
/// A row that cannot be parsed is reported as <see cref="InventoryErrorKind.RowInvalid"/> unless the file turns
/// out to be damaged (then <see cref="InventoryErrorKind.DataFileCorrupt"/>, the real cause).
/// </summary>
internal sealed class InventoryFileReader : IAsyncDisposable
{
    private const int PublishEvery = 4096;

    private readonly InventoryDataFile _file;
    private readonly string _manifestKey;
    private readonly InventoryColumns _columns;
    private readonly InventoryReadCounters _counters;
    private readonly HashingReadStream _hashed;
    private readonly BufferedStream _buffered;
    private readonly GZipStream _gzip;
    private readonly CsvRecordReader _csv;
    private readonly StorageClassNames _storageClasses = new();
    private byte[] _keyScratch = new byte[256];
    private long _read;
    private long _returned;
    private long _skipped;

    private InventoryFileReader(Stream content, InventoryDataFile file, string manifestKey, InventoryColumns columns, int bufferSize, InventoryReadCounters counters)
    {
        _file = file;
        _manifestKey = manifestKey;
        _columns = columns;
        _counters = counters;
        _hashed = new HashingReadStream(content, counters.AddCompressedBytes);
        _buffered = new BufferedStream(_hashed, 1 << 20);
        _gzip = new GZipStream(_buffered, CompressionMode.Decompress);
        _csv = new CsvRecordReader(_gzip, bufferSize);
    }

    public InventoryRow Current { get; private set; } = null!;

    public static async Task<InventoryFileReader> OpenAsync(IBlobStore store, InventoryDataFile file, InventoryManifest manifest, InventoryColumns columns, int bufferSize, InventoryReadCounters counters, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = await store.GetAsync(file.Key, 0, null, cancellationToken);
        }
        catch (FileNotFoundException e)
        {
            throw new InventoryException(InventoryErrorKind.DataFileMissing,
                $"Inventory data file '{file.Key}' named by '{manifest.ManifestKey}' does not exist (deleted by a lifecycle rule?): " +
                "this inventory cannot be used. Keep data files at least as long as their manifests, and wait for the next inventory run.", e)
            { Key = file.Key };
        }
        return new InventoryFileReader(content, file, manifest.ManifestKey, columns, bufferSize, counters);
    }

    /// <summary>Advances to the next current-version row; false after the file ended and checked out.</summary>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) => MoveNextRowAsync(cancellationToken);

    /// <summary>
    /// Reads every current-version row as a sort record (<see cref="SourceObjectCodec.WriteRecord"/>) into
    /// <paramref name="record"/> and hands it, with its fields, to <paramref name="consume"/>: no string or object per row.
    /// Rows already decompressed are parsed without awaiting; only a refill, or a consumer that has to wait, suspends.
    /// Returns once the file ended and checked out.
    /// </summary>
    public async Task ReadRecordsAsync(BinaryWriterBuffer record, RecordConsumer consume, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (ReadBufferedRecords(record, consume, out var pending, out var problem))
            {
                case BufferedRecords.ConsumerWaits:
                    await pending;
                    break;
                case BufferedRecords.NeedMore:
                    try
                    {
                        await _csv.FillBufferAsync(cancellationToken);
                    }
                    catch (InvalidDataException e)
                    {
                        throw await CorruptAsync($"it is not valid gzip ({e.Message})", e, cancellationToken);
                    }
                    break;
                case BufferedRecords.End:
                    Publish();
                    await VerifyAsync(cancellationToken);
                    return;
                default:
                    throw await RowInvalidAsync(problem!.Row, problem.Problem, problem.Column, problem.Error, cancellationToken);
            }
        }
    }

    private enum BufferedRecords
    {
        ConsumerWaits,
        NeedMore,
        End,
        Invalid,
    }

    private sealed record RowProblem(long Row, string Problem, string? Column, Exception? Error);

    private BufferedRecords ReadBufferedRecords(BinaryWriterBuffer record, RecordConsumer consume, out ValueTask pending, out RowProblem? problem)
    {
        pending = default;
        problem = null;
        while (true)
        {
            CsvRecordReader.BufferedRead read;
            try
            {
                read = _csv.ReadBuffered();
            }
            catch (CsvFormatException e)
            {
                problem = new RowProblem(e.Record, e.Problem, null, e);
                return BufferedRecords.Invalid;
            }
            if (read != CsvRecordReader.BufferedRead.Record)
            {
                return read == CsvRecordReader.BufferedRead.End ? BufferedRecords.End : BufferedRecords.NeedMore;
            }
            _read++;
            if (_csv.FieldCount != _columns.Count)
            {
                problem = new RowProblem(_csv.RecordNumber, FieldCountProblem, null, null);
                return BufferedRecords.Invalid;
            }
            var column = -1;
            ReadOnlySpan<byte> keyBytes, etag, storageClass;
            long rowSize;
            DateTimeOffset rowTime;
            try
            {
                if (!TryReadCurrent(ref column, out keyBytes, out rowSize, out rowTime, out etag, out storageClass))
                {
                    _skipped++;
                    continue;
                }
                record.Clear();
                SourceObjectCodec.WriteRecord(record, keyBytes, rowSize, rowTime, etag, storageClass);
            }
            catch (FormatException e)
            {
                problem = new RowProblem(_csv.RecordNumber, e.Message, _columns.Names[column], e);
                return BufferedRecords.Invalid;
            }
            if (++_returned % PublishEvery == 0)
            {
                Publish();
            }
            var consumed = consume(record.WrittenSpan, new SourceObjectCodec.VersionFields(keyBytes, rowSize, rowTime.UtcTicks, etag, storageClass));
            if (!consumed.IsCompletedSuccessfully)
            {
                pending = consumed;
                return BufferedRecords.ConsumerWaits;
            }
        }
    }

    private string FieldCountProblem => $"it has {_csv.FieldCount} fields where fileSchema names {_columns.Count} ({string.Join(", ", _columns.Names)})";

    /// <summary>
    /// The current row's fields: the key percent-decoded (valid UTF-8), the ETag without quotes or blanks; false for a
    /// noncurrent version or a delete marker. A value that does not parse throws <see cref="FormatException"/> with
    /// <paramref name="column"/> naming its column.
    /// </summary>
    private bool TryReadCurrent(scoped ref int column, out ReadOnlySpan<byte> key, out long size, out DateTimeOffset lastModified, out ReadOnlySpan<byte> etag,
        out ReadOnlySpan<byte> storageClass)
    {
        key = etag = storageClass = default;
        size = 0;
        lastModified = default;
        if (!IsCurrent(ref column))
        {
            return false;
        }
        column = _columns.Key;
        key = InventoryValues.DecodeKeyBytes(_csv.GetField(column), ref _keyScratch);
        column = _columns.Size;
        size = InventoryValues.ParseSize(_csv.GetField(column));
        column = _columns.LastModified;
        lastModified = InventoryValues.ParseTimestamp(_csv.GetField(column));
        column = _columns.ETag;
        etag = _csv.GetField(column).Trim(" \""u8);
        column = _columns.StorageClass;
        storageClass = _csv.GetField(column);
        return true;
    }

    /// <summary>False for a noncurrent version or a delete marker (whose Size and ETag may be empty: not parsed further).</summary>
    private bool IsCurrent(ref int column)
    {
        var isLatest = true;
        var isDeleteMarker = false;
        if (_columns.IsLatest >= 0)
        {
            column = _columns.IsLatest;
            isLatest = InventoryValues.ParseBool(_csv.GetField(column));
        }
        if (_columns.IsDeleteMarker >= 0)
        {
            column = _columns.IsDeleteMarker;
            isDeleteMarker = InventoryValues.ParseBool(_csv.GetField(column));
        }
        return isLatest && !isDeleteMarker;
    }

    private async ValueTask<bool> MoveNextRowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _csv.ReadAsync(cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw await CorruptAsync($"it is not valid gzip ({e.Message})", e, cancellationToken);
            }
            catch (CsvFormatException e)
            {
                throw await RowInvalidAsync(e.Record, e.Problem, null, e, cancellationToken);
            }
            if (!more)
            {
                Publish();
                await VerifyAsync(cancellationToken);
                return false;
            }
            _read++;
            if (_csv.FieldCount != _columns.Count)
            {
                throw await RowInvalidAsync(_csv.RecordNumber, FieldCountProblem, null, null, cancellationToken);
            }
            var column = -1;
            try
            {
                if (!TryReadCurrent(ref column, out var key, out var size, out var lastModified, out var etag, out var storageClass))
                {
                    _skipped++;
                    continue;
                }
                Current = new InventoryRow(Encoding.UTF8.GetString(key), size, Encoding.UTF8.GetString(etag), lastModified, _storageClasses.Get(storageClass), true, false);
            }
            catch (FormatException e)
            {
                throw await RowInvalidAsync(_csv.RecordNumber, e.Message, _columns.Names[column], e, cancellationToken);
            }
            if (++_returned % PublishEvery == 0)
            {
                Publish();
            }
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _csv.Dispose();
        await _gzip.DisposeAsync();
        await _buffered.DisposeAsync();
        await _hashed.DisposeAsync();
    }

    private void Publish()
    {
        _counters.AddRows(_read, _returned, _skipped);
        _read = _returned = _skipped = 0;
    }

    private async Task VerifyAsync(CancellationToken cancellationToken)
    {
        if (await CheckIntegrityAsync(cancellationToken) is { } problem)
        {
            throw Corrupt(problem, null);
        }
        _counters.FileDone();
    }

    /// <summary>Reads the rest of the compressed bytes and compares size and MD5 with the manifest; null when both match.</summary>
    private async Task<string?> CheckIntegrityAsync(CancellationToken cancellationToken)
    {
        await _hashed.DrainAsync(cancellationToken);
        if (_hashed.Count != _file.Size)
        {
            return $"it is {_hashed.Count:N0} bytes long where the manifest says {_file.Size:N0}";
        }
        var md5 = _hashed.Md5();
        return _file.Md5Matches(md5) ? null : $"its MD5 is {Convert.ToHexString(md5)} where the manifest says {_file.Md5}";
    }

    private async Task<InventoryException> CorruptAsync(string problem, Exception inner, CancellationToken cancellationToken)
    {
        // A damaged download explains a gzip error better than the error itself: say which one it is.
        var integrity = await CheckIntegrityAsync(cancellationToken);
        return Corrupt(integrity is null ? problem : $"{integrity} ({problem})", inner);
    }

    private InventoryException Corrupt(string problem, Exception? inner) =>
        new(InventoryErrorKind.DataFileCorrupt,
            $"Inventory data file '{_file.Key}' named by '{_manifestKey}' is damaged: {problem}. This inventory cannot be used; wait for the next inventory run.", inner)
        { Key = _file.Key };

    private async Task<InventoryException> RowInvalidAsync(long row, string problem, string? column, Exception? inner, CancellationToken cancellationToken)
    {
        if (await CheckIntegrityAsync(cancellationToken) is { } integrity)
        {
            return Corrupt($"{integrity} (row {row} cannot be parsed: {problem})", inner);
        }
        var where = column is null ? $"row {row}" : $"row {row}, column {column}";
        return new InventoryException(InventoryErrorKind.RowInvalid,
            $"Inventory data file '{_file.Key}' {where} cannot be read: {problem}.", inner)
        { Key = _file.Key, Row = row, Column = column };
    }

    /// <summary>Storage class names are few: decode each distinct one once.</summary>
    private sealed class StorageClassNames
    {
        private readonly List<(byte[] Bytes, string Name)> _known = [];

        public string Get(ReadOnlySpan<byte> raw)
        {
            foreach (var (bytes, name) in _known)
            {
                if (raw.SequenceEqual(bytes))
                {
                    return name;
                }
            }
            var decoded = Encoding.UTF8.GetString(raw);
            if (_known.Count < 64)
            {
                _known.Add((raw.ToArray(), decoded));
            }
            return decoded;
        }
    }
}
