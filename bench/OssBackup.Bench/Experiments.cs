using System.Diagnostics;

namespace OssBackup.Bench;

/// <summary>How fast this machine's disk takes packs, written the engine's way and the direct way.</summary>
public sealed record PackWriteResult(string Mode, long Bytes, int Packs, double Seconds)
{
    public double MBPerSecond => Bytes / 1e6 / Math.Max(Seconds, 1e-9);
}

/// <summary>Experiments that price one engine design choice each, outside the engine.</summary>
public static class Experiments
{
    private const int Chunk = 8 << 20;
    private const long PackSize = 16 << 20;

    /// <summary>
    /// Writes <paramref name="totalBytes"/> as 16 MiB packs of 8 MiB chunks under <paramref name="folder"/>.
    /// "scratch + copy" is what PackWriter and FileBlobStore do today: append to a scratch file
    /// (FileOptions.Asynchronous, 64 KiB buffer), then copy it into the vault's temp file with a 1 MiB buffer,
    /// fsync, rename. "direct" appends to the vault's temp file itself, then fsync and rename.
    /// </summary>
    public static PackWriteResult PackWrite(string folder, long totalBytes, bool viaScratch)
    {
        Directory.CreateDirectory(folder);
        var data = new byte[Chunk];
        new Random(3).NextBytes(data);
        var packs = 0;
        var clock = Stopwatch.StartNew();
        for (long written = 0; written < totalBytes;)
        {
            var final = Path.Combine(folder, $"pack-{packs:D4}");
            var temp = final + ".partial";
            long packLength = 0;
            if (viaScratch)
            {
                var scratch = Path.Combine(folder, $"scratch-{packs:D4}.pack");
                using (var file = new FileStream(scratch, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous))
                {
                    while (packLength < PackSize && written < totalBytes)
                    {
                        file.WriteAsync(data).AsTask().GetAwaiter().GetResult();
                        packLength += data.Length;
                        written += data.Length;
                    }
                    file.Flush();
                    file.Position = 0;
                    using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    file.CopyToAsync(target, 1 << 20).GetAwaiter().GetResult();
                    target.Flush(flushToDisk: true);
                }
            }
            else
            {
                using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                while (packLength < PackSize && written < totalBytes)
                {
                    target.WriteAsync(data).AsTask().GetAwaiter().GetResult();
                    packLength += data.Length;
                    written += data.Length;
                }
                target.Flush(flushToDisk: true);
            }
            File.Move(temp, final);
            packs++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(folder, recursive: true);
        return new PackWriteResult(viaScratch ? "scratch file + copy + fsync (engine today)" : "direct to vault + fsync", totalBytes, packs, seconds);
    }
}
