using System.Diagnostics;
using System.Text;
using OssBackup.Engine.Inventory;
using OssBackup.TestKit;
using Xunit.Abstractions;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>
/// Throughput of the inventory row reader on one core (gzip + CSV + mapping to rows), printed, not asserted:
/// <c>dotnet test --filter "Category=Measure" --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class InventoryMeasureTests(ITestOutputHelper output) : IDisposable
{
    private const int Rows = 1_000_000;
    private readonly LocalInventory _bucket = new();

    public void Dispose() => _bucket.Dispose();

    [Fact]
    [Trait("Category", "Measure")]
    public async Task One_million_eight_column_rows_read_back_complete_and_the_rate_is_printed()
    {
        var run = WriteLargeRun();
        var manifest = await _bucket.ManifestAsync(run);
        var counters = new InventoryReadCounters();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        long rows = 0, bytes = 0;
        await foreach (var row in _bucket.Reader.ReadRowsAsync(manifest, new InventoryReadOptions { Counters = counters }, CancellationToken.None))
        {
            rows++;
            bytes += row.Size;
        }
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        // CPU time is the fairer figure on a shared machine: wall time also counts the waits for a core.
        output.WriteLine($"{rows:N0} rows, {run.DataFiles[0].Size / 1e6:N1} MB gzip: {watch.Elapsed.TotalSeconds:N2} s wall = {rows / watch.Elapsed.TotalSeconds:N0} rows/s; " +
            $"{cpu.TotalSeconds:N2} s CPU = {rows / cpu.TotalSeconds:N0} rows per CPU-second (one reading thread; the process's GC threads included)");
        Assert.Equal(Rows, rows);
        Assert.Equal((long)Rows * (Rows - 1) / 2, bytes);
        Assert.Equal(1, counters.FilesRead);
    }

    /// <summary>A realistic OSS-style data file: bucket bare, the rest quoted, keys URL-encoded with %2F and '+'.</summary>
    private InventoryRun WriteLargeRun()
    {
        var text = new StringBuilder(Rows * 160);
        string[] classes = ["Standard", "IA", "Archive"];
        for (var i = 0; i < Rows; i++)
        {
            text.Append("examplebucket,\"photos%2F").Append(i / 1000).Append("%2FIMG+").Append(i).Append(".JPG\",\"")
                .Append(i).Append("\",\"").Append(classes[i % 3]).Append("\",\"2025-04-14T07-06-")
                .Append((i % 60).ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).Append("Z\",\"")
                .Append(i.ToString("X32", System.Globalization.CultureInfo.InvariantCulture)).Append("\",\"false\",\"false\"\n");
        }
        var gz = InventoryWriter.Gzip(Encoding.UTF8.GetBytes(text.ToString()));
        // Let the writer lay out manifest and checksum, then swap in the large data file with its real size and MD5.
        var run = _bucket.Write(new InventoryOptions(), []);
        var dataPath = Path.Combine(_bucket.Root, run.DataFiles[0].Key);
        File.WriteAllBytes(dataPath, gz);
        var md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(gz));
        var json = run.ManifestJson.Replace(run.DataFiles[0].Md5, md5, StringComparison.Ordinal)
            .Replace($"\"size\": {run.DataFiles[0].Size}", $"\"size\": {gz.Length}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_bucket.Root, run.ManifestKey), json);
        return run with { DataFiles = [run.DataFiles[0] with { Size = gz.Length, Md5 = md5 }] };
    }
}
