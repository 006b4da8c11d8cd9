namespace OssBackup.Engine.Inventory;

/// <summary>Text that is not RFC 4180 CSV, found by <see cref="CsvRecordReader"/>.</summary>
public sealed class CsvFormatException(long record, string problem) : FormatException($"Record {record}: {problem}")
{
    /// <summary>The 1-based number of the record at fault (blank lines counted).</summary>
    public long Record { get; } = record;

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; } = problem;
}
