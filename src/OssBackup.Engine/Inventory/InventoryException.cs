namespace OssBackup.Engine.Inventory;

/// <summary>An inventory that cannot be used, with a message that says why and what to do.</summary>
public sealed class InventoryException : Exception
{
    public InventoryException(InventoryErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public InventoryErrorKind Kind { get; }

    /// <summary>The key the problem is about (a run folder, manifest or data file), when there is one.</summary>
    public string? Key { get; init; }

    /// <summary>The 1-based record number in the data file, for <see cref="InventoryErrorKind.RowInvalid"/>.</summary>
    public long? Row { get; init; }

    /// <summary>The column (as fileSchema names it), for <see cref="InventoryErrorKind.RowInvalid"/>, when one is at fault.</summary>
    public string? Column { get; init; }
}
