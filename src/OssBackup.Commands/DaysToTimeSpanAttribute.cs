using System.Globalization;
using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>
/// Reads a bare number as days: PowerShell would otherwise turn `-InventoryMaxAge 2` into 2 ticks.
/// Strings such as '2.00:00:00' and TimeSpan values pass through.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DaysToTimeSpanAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            int days => TimeSpan.FromDays(days),
            long days => TimeSpan.FromDays(days),
            double days => TimeSpan.FromDays(days),
            decimal days => TimeSpan.FromDays((double)days),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var days) => TimeSpan.FromDays(days),
            _ => inputData,
        };
    }
}
