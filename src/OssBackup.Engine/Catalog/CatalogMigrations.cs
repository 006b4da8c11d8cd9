namespace OssBackup.Engine.Catalog;

/// <summary>Schema versions in order; PRAGMA user_version records how many have run. Never edit one that shipped.</summary>
internal static class CatalogMigrations
{
    public static readonly string[] Steps =
    [
        """
        CREATE TABLE vaults (
            name        TEXT PRIMARY KEY COLLATE NOCASE,
            location    TEXT NOT NULL,
            vault_id    TEXT NOT NULL,
            created_at  TEXT NOT NULL
        );
        CREATE TABLE plans (
            name             TEXT PRIMARY KEY COLLATE NOCASE,
            source_bucket    TEXT NOT NULL,
            source_prefix    TEXT NOT NULL,
            endpoint         TEXT NOT NULL,
            region           TEXT NOT NULL,
            force_path_style INTEGER NOT NULL,
            profile_name     TEXT NOT NULL,
            vault            TEXT NOT NULL REFERENCES vaults(name),
            include_json     TEXT NOT NULL,
            exclude_json     TEXT NOT NULL,
            scan_method      TEXT NOT NULL,
            created_at       TEXT NOT NULL
        );
        CREATE TABLE jobs (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            kind              TEXT NOT NULL,
            plan              TEXT NOT NULL,
            status            TEXT NOT NULL,
            mode              TEXT NOT NULL,
            scan_method       TEXT NOT NULL,
            start_time        TEXT NOT NULL,
            end_time          TEXT,
            scanned_objects   INTEGER NOT NULL DEFAULT 0,
            scanned_bytes     INTEGER NOT NULL DEFAULT 0,
            backed_up_objects INTEGER NOT NULL DEFAULT 0,
            backed_up_bytes   INTEGER NOT NULL DEFAULT 0,
            unchanged_objects INTEGER NOT NULL DEFAULT 0,
            skipped_objects   INTEGER NOT NULL DEFAULT 0,
            failed_objects    INTEGER NOT NULL DEFAULT 0,
            changed_since_scan INTEGER NOT NULL DEFAULT 0,
            gone_since_scan   INTEGER NOT NULL DEFAULT 0,
            written_bytes     INTEGER NOT NULL DEFAULT 0,
            bytes_per_second  REAL NOT NULL DEFAULT 0,
            backup_point_id   TEXT,
            target            TEXT,
            message           TEXT,
            process_id        INTEGER NOT NULL
        );
        CREATE INDEX jobs_by_plan ON jobs(plan, id);
        CREATE TABLE backup_points (
            vault           TEXT NOT NULL,
            id              TEXT NOT NULL,
            plan            TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            source_bucket   TEXT NOT NULL,
            source_prefix   TEXT NOT NULL,
            object_count    INTEGER NOT NULL,
            total_bytes     INTEGER NOT NULL,
            new_objects     INTEGER NOT NULL,
            changed_objects INTEGER NOT NULL,
            deleted_objects INTEGER NOT NULL,
            job_id          INTEGER,
            PRIMARY KEY (vault, id)
        );
        CREATE INDEX points_by_plan ON backup_points(plan, created_at);
        CREATE TABLE job_items (
            job_id  INTEGER NOT NULL,
            key     TEXT NOT NULL,
            outcome TEXT NOT NULL,
            code    TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX job_items_by_job ON job_items(job_id);
        """,
        """
        ALTER TABLE plans ADD COLUMN inventory_bucket TEXT NOT NULL DEFAULT '';
        ALTER TABLE plans ADD COLUMN inventory_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE plans ADD COLUMN inventory_prefix TEXT NOT NULL DEFAULT '';
        ALTER TABLE plans ADD COLUMN inventory_max_age_seconds INTEGER NOT NULL DEFAULT 604800;
        ALTER TABLE plans ADD COLUMN inventory_cleanup TEXT NOT NULL DEFAULT 'DoNotDelete';
        ALTER TABLE jobs ADD COLUMN inventory TEXT;
        ALTER TABLE jobs ADD COLUMN skipped_by_reason TEXT NOT NULL DEFAULT '{}';
        """,
        """
        CREATE TABLE policies (
            name                TEXT PRIMARY KEY COLLATE NOCASE,
            vault               TEXT NOT NULL REFERENCES vaults(name),
            interval_seconds    INTEGER NOT NULL,
            start_time          TEXT NOT NULL,
            keep_last           INTEGER,
            keep_within_seconds INTEGER,
            keep_daily          INTEGER,
            keep_weekly         INTEGER,
            keep_monthly        INTEGER,
            keep_yearly         INTEGER,
            time_zone           TEXT NOT NULL,
            alert_webhook       TEXT,
            created_at          TEXT NOT NULL
        );
        ALTER TABLE plans ADD COLUMN policy TEXT NOT NULL DEFAULT '';
        ALTER TABLE plans ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE plans ADD COLUMN last_alert_at TEXT;
        ALTER TABLE plans ADD COLUMN last_scheduled_slot TEXT;
        """,
        """
        ALTER TABLE jobs ADD COLUMN deleted_objects INTEGER NOT NULL DEFAULT 0;
        """,
        """
        ALTER TABLE policies ADD COLUMN drill_interval_seconds INTEGER;
        ALTER TABLE policies ADD COLUMN drill_sample_size INTEGER;
        ALTER TABLE policies ADD COLUMN drill_sample_percent REAL;
        ALTER TABLE plans ADD COLUMN last_drill_slot TEXT;
        CREATE TABLE drills (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            plan             TEXT NOT NULL COLLATE NOCASE,
            status           TEXT NOT NULL,
            trigger          TEXT NOT NULL,
            slot             TEXT,
            backup_point_id  TEXT NOT NULL DEFAULT '',
            restore_job_id   INTEGER,
            start_time       TEXT NOT NULL,
            end_time         TEXT,
            sample_size      INTEGER,
            sample_percent   REAL,
            objects_in_point INTEGER NOT NULL DEFAULT 0,
            sampled_objects  INTEGER NOT NULL DEFAULT 0,
            passed_objects   INTEGER NOT NULL DEFAULT 0,
            failed_objects   INTEGER NOT NULL DEFAULT 0,
            verified_bytes   INTEGER NOT NULL DEFAULT 0,
            duration_ms      INTEGER NOT NULL DEFAULT 0,
            message          TEXT,
            process_id       INTEGER NOT NULL
        );
        CREATE INDEX drills_by_plan ON drills(plan, id);
        """,
    ];
}
