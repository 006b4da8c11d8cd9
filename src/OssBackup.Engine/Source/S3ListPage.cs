using System.Globalization;
using System.Xml;

namespace OssBackup.Engine.Source;

/// <summary>One page of a ListObjectsV2 answer: its objects in key order, and the token of the next page (null on the last).</summary>
public sealed record S3ListPage(IReadOnlyList<SourceObject> Objects, string? NextContinuationToken)
{
    private static readonly XmlReaderSettings Settings = new()
    {
        // Control characters in keys arrive as character references when the server did not encode them.
        CheckCharacters = false,
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>
    /// Reads a ListBucketResult document; fields a backup does not use (Owner, ChecksumAlgorithm, ...) are skipped.
    /// Keys are URL-decoded when the document says they were encoded (EncodingType url).
    /// </summary>
    /// <exception cref="InvalidDataException">The document is not a ListBucketResult.</exception>
    public static S3ListPage Parse(byte[] document)
    {
        try
        {
            using var xml = XmlReader.Create(new MemoryStream(document, writable: false), Settings);
            if (xml.MoveToContent() != XmlNodeType.Element || xml.LocalName != "ListBucketResult")
            {
                throw new InvalidDataException($"A listing answered <{xml.LocalName}> where ListBucketResult was expected.");
            }
            var objects = new List<SourceObject>();
            var truncated = false;
            var urlEncoded = false;
            string? next = null;
            foreach (var name in Children(xml))
            {
                switch (name)
                {
                    case "Contents":
                        objects.Add(ReadContents(xml));
                        break;
                    case "IsTruncated":
                        truncated = string.Equals(xml.ReadElementContentAsString(), "true", StringComparison.OrdinalIgnoreCase);
                        break;
                    case "NextContinuationToken":
                        next = xml.ReadElementContentAsString();
                        break;
                    case "EncodingType":
                        urlEncoded = string.Equals(xml.ReadElementContentAsString(), "url", StringComparison.OrdinalIgnoreCase);
                        break;
                    default:
                        xml.Skip();
                        break;
                }
            }
            if (urlEncoded)
            {
                // S3 writes a space as '+' (and '+' as %2B), RGW as %20: UrlDecode reads both.
                for (var i = 0; i < objects.Count; i++)
                {
                    objects[i] = objects[i] with { Key = System.Net.WebUtility.UrlDecode(objects[i].Key) };
                }
            }
            return new S3ListPage(objects, truncated && !string.IsNullOrEmpty(next) ? next : null);
        }
        catch (Exception e) when (e is XmlException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"A listing could not be read: {e.Message}", e);
        }
    }

    private static SourceObject ReadContents(XmlReader xml)
    {
        string? key = null, etag = null, storageClass = null;
        long size = 0;
        var lastModified = DateTimeOffset.UnixEpoch;
        foreach (var name in Children(xml))
        {
            switch (name)
            {
                case "Key":
                    key = xml.ReadElementContentAsString();
                    break;
                case "Size":
                    size = long.Parse(xml.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "ETag":
                    etag = xml.ReadElementContentAsString();
                    break;
                case "LastModified":
                    lastModified = DateTimeOffset.Parse(xml.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                    break;
                case "StorageClass":
                    storageClass = xml.ReadElementContentAsString();
                    break;
                default:
                    xml.Skip();
                    break;
            }
        }
        return new SourceObject(
            key ?? throw new InvalidDataException("A listing has an entry without a Key."),
            size,
            SourceObject.NormalizeETag(etag),
            lastModified,
            string.IsNullOrEmpty(storageClass) ? "STANDARD" : storageClass);
    }

    /// <summary>
    /// The names of the child elements of the element the reader is on, leaving the reader on each in turn; the caller
    /// reads or skips it whole. Ends past the element's end tag.
    /// </summary>
    private static IEnumerable<string> Children(XmlReader xml)
    {
        if (xml.IsEmptyElement)
        {
            xml.Read();
            yield break;
        }
        xml.Read();
        while (xml.NodeType != XmlNodeType.EndElement)
        {
            if (xml.NodeType == XmlNodeType.Element)
            {
                yield return xml.LocalName;
            }
            else if (!xml.Read())
            {
                throw new XmlException("The listing ends inside an element.");
            }
        }
        xml.Read();
    }
}
