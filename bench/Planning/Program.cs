using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace OssBackup.PlanningBench;

/// <summary>
/// Driver: <c>--rows 1000000,10000000 [--with-100m] [--files 8] [--repeat 1] [--profile] [--duckdb-decoded] [--duckdb-max-rows N]
/// [--dir PATH] [--keep] [--seed 42] [--markdown FILE]</c>. For each N it generates a dataset once (in
/// $OSSBACKUP_BENCH_DIR or the temp folder), runs each measured mode in a child process of its own (so each
/// peak RSS is that work's alone), checks the counts against the generator's truth, prints a Markdown
/// table and deletes the dataset.
/// Child modes: <c>mode NAME DATASET_FOLDER</c> (ours, ours-steps, ours-sorted, digest-build, duckdb, duckdb-decoded, gunzip, read, sort,
/// table, carry, carry-dedupe, carry-read) and
/// <c>generate FOLDER ROWS [FILES] [SEED]</c>.
/// </summary>
internal static class Program
{
    private static readonly string[] ProfileModes = ["ours-steps", "ours-sorted", "digest-build", "gunzip", "read", "sort", "table"];

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            if (args.Length >= 3 && args[0] == "mode")
            {
                var dataset = Dataset.Load(args[2]);
                var result = args[1] switch
                {
                    "duckdb" => DuckDbRunner.Run(dataset, decodeKeys: false),
                    "duckdb-decoded" => DuckDbRunner.Run(dataset, decodeKeys: true),
                    var mode => await OursRunner.RunAsync(mode, dataset, cancel.Token),
                };
                Console.Out.WriteLine(result.ToLine());
                return 0;
            }
            if (args.Length >= 3 && args[0] == "generate")
            {
                var files = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8;
                var seed = args.Length > 4 ? ulong.Parse(args[4], CultureInfo.InvariantCulture) : 42UL;
                await Generator.GenerateAsync(Path.GetFullPath(args[1]), long.Parse(args[2], CultureInfo.InvariantCulture), files, seed, Console.Out, cancel.Token);
                return 0;
            }
            return await DriveAsync(Options.Parse(args), cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }

    private static async Task<int> DriveAsync(Options options, CancellationToken cancellationToken)
    {
        var root = options.Folder ?? Environment.GetEnvironmentVariable("OSSBACKUP_BENCH_DIR") ?? Path.GetTempPath();
        var runFolder = Path.Combine(Path.GetFullPath(root), "ossbackup-planning-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var report = new Report(options);
        var failed = false;
        Console.WriteLine($"Planning benchmark: rows {string.Join(", ", options.Rows.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}, " +
            $"{options.Files} data files, repeat {options.Repeat}, scratch {runFolder}");
        try
        {
            foreach (var rows in options.Rows)
            {
                var folder = Path.Combine(runFolder, rows.ToString(CultureInfo.InvariantCulture));
                Console.WriteLine($"N = {rows:N0}: generating in {folder}");
                var clock = Stopwatch.StartNew();
                var dataset = await Generator.GenerateAsync(folder, rows, options.Files, options.Seed, Console.Out, cancellationToken);
                var generation = clock.Elapsed;
                Console.WriteLine($"  generated in {generation.TotalSeconds:F1} s: inventory {dataset.InventoryBytes / 1048576.0:N0} MiB, " +
                    $"vault {dataset.VaultBytes / 1048576.0:N0} MiB, parquet {dataset.ParquetBytes / 1048576.0:N0} MiB");
                var measured = new List<RunResult>();
                var modes = new List<string>();
                var withDuckDb = rows <= options.DuckDbMaxRows;
                for (var r = 0; r < options.Repeat; r++)
                {
                    modes.Add("ours");
                    if (withDuckDb)
                    {
                        modes.Add("duckdb");
                    }
                    if (withDuckDb && options.DuckDbDecoded)
                    {
                        modes.Add("duckdb-decoded");
                    }
                }
                if (options.Profile)
                {
                    modes.AddRange(ProfileModes);
                }
                foreach (var mode in modes)
                {
                    var result = await RunChildAsync(mode, folder, cancellationToken);
                    var check = result.Counts is null ? "" : result.Counts == dataset.Truth ? ", counts OK" : $", COUNTS WRONG: {result.Counts} (expected {dataset.Truth})";
                    failed |= result.Counts is not null && result.Counts != dataset.Truth;
                    Console.WriteLine($"  {mode,-15} {result.Seconds,8:F2} s, CPU {result.CpuSeconds,7:F2} s, peak RSS {result.PeakRssBytes / 1048576.0,7:N0} MiB{check}");
                    foreach (var (stage, value) in result.Stages)
                    {
                        Console.WriteLine($"      {stage}: {value:N2}");
                    }
                    measured.Add(result);
                }
                report.Add(dataset, generation, measured);
                if (!options.Keep)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
        finally
        {
            if (!options.Keep && Directory.Exists(runFolder))
            {
                Directory.Delete(runFolder, recursive: true);
            }
        }
        var markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.MarkdownFile is { } file)
        {
            await File.WriteAllTextAsync(file, markdown, cancellationToken);
        }
        return failed ? 1 : 0;
    }

    /// <summary>Runs this program as <c>mode NAME FOLDER</c> and returns its result line; its stderr passes through.</summary>
    private static async Task<RunResult> RunChildAsync(string mode, string folder, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }
        start.ArgumentList.Add("mode");
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(folder);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
        try
        {
            var output = child.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = child.StandardError.ReadToEndAsync(cancellationToken);
            await child.WaitForExitAsync(cancellationToken);
            var stdout = await output;
            var stderr = await errors;
            if (stderr.Length > 0)
            {
                Console.Error.Write(stderr);
            }
            var result = stdout.Split('\n').Select(l => RunResult.TryParse(l.TrimEnd('\r'))).LastOrDefault(r => r is not null);
            if (child.ExitCode != 0 || result is null)
            {
                throw new InvalidOperationException($"Mode {mode} failed (exit code {child.ExitCode}):\n{stdout}\n{stderr}");
            }
            return result;
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    private sealed record Options
    {
        public List<long> Rows { get; init; } = [1_000_000, 10_000_000];
        public int Files { get; init; } = 8;
        public int Repeat { get; init; } = 1;
        public bool Profile { get; init; }
        public bool DuckDbDecoded { get; init; }
        public string? Folder { get; init; }
        public bool Keep { get; init; }
        public ulong Seed { get; init; } = 42;
        public string? MarkdownFile { get; init; }

        /// <summary>DuckDB is not run above this N (its join holds the previous point in memory: ~250 bytes a row).</summary>
        public long DuckDbMaxRows { get; init; } = long.MaxValue;

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var a = 0; a < args.Length; a++)
            {
                string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value.");
                options = args[a] switch
                {
                    "--rows" => options with { Rows = Next().Split(',').Select(r => long.Parse(r.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList() },
                    "--with-100m" => options with { Rows = [.. options.Rows, 100_000_000] },
                    "--files" => options with { Files = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--repeat" => options with { Repeat = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--profile" => options with { Profile = true },
                    "--duckdb-decoded" => options with { DuckDbDecoded = true },
                    "--dir" => options with { Folder = Next() },
                    "--keep" => options with { Keep = true },
                    "--seed" => options with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--markdown" => options with { MarkdownFile = Next() },
                    "--duckdb-max-rows" => options with { DuckDbMaxRows = long.Parse(Next().Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) },
                    var other => throw new ArgumentException($"Unknown option '{other}'."),
                };
            }
            return options;
        }
    }

    /// <summary>The Markdown summary: one row per N (median time over repeats, highest peak RSS), then the stage breakdowns.</summary>
    private sealed class Report(Options options)
    {
        private readonly List<(Dataset Dataset, TimeSpan Generation, List<RunResult> Results)> _rows = [];

        public void Add(Dataset dataset, TimeSpan generation, List<RunResult> results) => _rows.Add((dataset, generation, results));

        public string ToMarkdown()
        {
            var inv = CultureInfo.InvariantCulture;
            var text = new StringBuilder();
            text.AppendLine("| N (inventory rows) | ours time | ours CPU | ours peak RSS | DuckDB time | DuckDB CPU | DuckDB peak RSS | time ours/DuckDB | counts |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var (dataset, _, results) in _rows)
            {
                var ours = results.Where(r => r.Mode == "ours").ToList();
                var duck = results.Where(r => r.Mode == "duckdb").ToList();
                var ok = results.Where(r => r.Counts is not null).All(r => r.Counts == dataset.Truth);
                var duckTime = duck.Count == 0 ? "not run" : string.Create(inv, $"{Median(duck, r => r.Seconds):F2} s");
                var duckCpu = duck.Count == 0 ? "not run" : string.Create(inv, $"{Median(duck, r => r.CpuSeconds):F2} s");
                var duckRss = duck.Count == 0 ? "not run" : Mib(duck.Max(r => r.PeakRssBytes));
                var ratio = duck.Count == 0 ? "n/a" : string.Create(inv, $"{Median(ours, r => r.Seconds) / Median(duck, r => r.Seconds):F2}");
                text.AppendLine(inv, $"| {dataset.InventoryRows:N0} | {Median(ours, r => r.Seconds):F2} s | {Median(ours, r => r.CpuSeconds):F2} s | {Mib(ours.Max(r => r.PeakRssBytes))} | " +
                    $"{duckTime} | {duckCpu} | {duckRss} | {ratio} | {(ok ? "equal to truth" : "MISMATCH")} |");
            }
            text.AppendLine();
            foreach (var (dataset, generation, results) in _rows)
            {
                text.AppendLine(inv, $"N = {dataset.Rows:N0}: inventory {dataset.InventoryRows:N0} rows in {dataset.DataFiles.Count} csv.gz files ({Mib(dataset.InventoryBytes)}), " +
                    $"previous point {dataset.PreviousObjects:N0} objects (vault {Mib(dataset.VaultBytes)}; parquet for DuckDB {Mib(dataset.ParquetBytes)}); " +
                    $"generated in {generation.TotalSeconds:F0} s. Truth: {dataset.Truth}.");
                text.AppendLine();
                text.AppendLine("| mode | time | CPU | peak RSS | details |");
                text.AppendLine("|---|---:|---:|---:|---|");
                foreach (var r in results)
                {
                    var details = string.Join("; ", r.Stages.Select(s => $"{s.Key} {s.Value.ToString("N2", inv)}"));
                    if (r.Notes.TryGetValue("gc", out var gc))
                    {
                        details += (details.Length > 0 ? "; " : "") + "GC: " + gc;
                    }
                    if (r.Notes.TryGetValue("settings", out var settings))
                    {
                        details += (details.Length > 0 ? "; " : "") + settings;
                    }
                    text.AppendLine(inv, $"| {r.Mode} | {r.Seconds:F2} s | {r.CpuSeconds:F2} s | {Mib(r.PeakRssBytes)} | {details} |");
                }
                text.AppendLine();
            }
            _ = options;
            return text.ToString();
        }

        private static double Median(List<RunResult> results, Func<RunResult, double> value)
        {
            if (results.Count == 0)
            {
                return double.NaN;
            }
            var sorted = results.Select(value).Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        private static string Mib(long bytes) => bytes < 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N0} MiB");
    }
}
