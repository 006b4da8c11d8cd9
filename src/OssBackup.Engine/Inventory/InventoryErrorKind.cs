namespace OssBackup.Engine.Inventory;

/// <summary>Why an inventory cannot be used; each kind calls for a different action by the user.</summary>
public enum InventoryErrorKind
{
    /// <summary>No run folder with a manifest.json exists under the inventory location.</summary>
    NotFound,

    /// <summary>Runs exist but none is complete yet (manifest.checksum missing): retry later.</summary>
    Incomplete,

    /// <summary>The newest complete run is broken or does not fit (checksum, format, schema, source bucket).</summary>
    Unusable,

    /// <summary>The newest inventory is older than the allowed age.</summary>
    TooOld,

    /// <summary>The newest inventory is not newer than the one the previous backup used.</summary>
    NotUpdated,

    /// <summary>manifest.json is not a manifest this reader understands.</summary>
    ManifestInvalid,

    /// <summary>A data file named by the manifest does not exist (deleted by a lifecycle rule?).</summary>
    DataFileMissing,

    /// <summary>A data file's size or MD5 differs from the manifest, or it is not valid gzip.</summary>
    DataFileCorrupt,

    /// <summary>A row of a data file cannot be parsed.</summary>
    RowInvalid,
}
