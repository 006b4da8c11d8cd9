using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace OssBackup.PlanningBench;

/// <summary>
/// DuckDB's equivalent of the plan, in a process of its own: read_csv over the inventory's csv.gz files
/// (explicit schema, no sniffing), full outer join with the previous point (read_parquet: DuckDB cannot
/// read a vault), and one query counting unchanged / new / changed / skip / deleted with the engine's rules
/// (same size, same ETag ignoring case, same time; storage classes that need a restore are skipped).
/// The join is on the key as the inventory encodes it (URL-encoded, %2F): DuckDB does not decode keys,
/// the engine does. DuckDB runs with its defaults (threads = cores, memory_limit = 80% of RAM).
/// </summary>
internal static class DuckDbRunner
{
    public static RunResult Run(Dataset dataset, bool decodeKeys)
    {
        var clock = Stopwatch.StartNew();
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        var settings = Scalar(connection, "SELECT current_setting('threads')::VARCHAR || ' threads, memory_limit ' || current_setting('memory_limit') || ', DuckDB ' || version()");
        Execute(connection, $"SET temp_directory = '{Generator.Sql(Path.Combine(dataset.ScratchFolder, "duckdb-tmp"))}'");

        var files = string.Join(", ", dataset.DataFiles.Select(f => $"'{Generator.Sql(f)}'"));
        var columns = "{" + string.Join(", ", Dataset.Schema.Select(c => $"'{c}': '{(c == "Size" ? "BIGINT" : "VARCHAR")}'")) + "}";
        var key = decodeKeys ? "url_decode(\"Key\")" : "\"Key\"";
        var previousKey = decodeKeys ? "url_decode(k)" : "k";
        var sql = $"""
            WITH cur AS (
                SELECT {key} AS k, "Size" AS size, "ETag" AS etag, "StorageClass" AS sc,
                       strptime("LastModifiedDate", '%Y-%m-%dT%H-%M-%SZ') AS mtime
                FROM read_csv([{files}], header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
                              compression = 'gzip', columns = {columns})
            ), prev AS (
                SELECT {previousKey} AS k, size, etag, mtime FROM read_parquet('{Generator.Sql(dataset.ParquetPath)}')
            ), joined AS (
                SELECT c.k AS ck, p.k AS pk,
                       (p.k IS NOT NULL AND c.size = p.size AND lower(c.etag) = lower(p.etag) AND c.mtime = p.mtime) AS same,
                       lower(c.sc) IN ('archive', 'coldarchive', 'deepcoldarchive', 'glacier', 'deep_archive') AS needs_restore
                FROM cur c FULL OUTER JOIN prev p ON c.k = p.k
            )
            SELECT
                count(*) FILTER (WHERE ck IS NOT NULL AND same) AS unchanged,
                count(*) FILTER (WHERE ck IS NOT NULL AND NOT same AND NOT needs_restore AND pk IS NULL) AS read_new,
                count(*) FILTER (WHERE ck IS NOT NULL AND NOT same AND NOT needs_restore AND pk IS NOT NULL) AS read_changed,
                count(*) FILTER (WHERE ck IS NOT NULL AND NOT same AND needs_restore) AS skip,
                count(*) FILTER (WHERE ck IS NULL) AS deleted
            FROM joined
            """;
        PlanCounts counts;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                throw new InvalidDataException("DuckDB returned no row.");
            }
            counts = new PlanCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }
        var elapsed = clock.Elapsed;
        return new RunResult
        {
            Mode = decodeKeys ? "duckdb-decoded" : "duckdb",
            Rows = dataset.Rows,
            Seconds = elapsed.TotalSeconds,
            CpuSeconds = RunResult.CpuNow(),
            PeakRssBytes = RunResult.PeakRss(),
            Counts = counts,
            Notes = new() { ["settings"] = settings, ["sql"] = sql },
        };
    }

    private static string Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
