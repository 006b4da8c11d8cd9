using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

public sealed class IndexFileCodecTests
{
    [Fact]
    public void Decoding_an_encoded_index_gives_back_every_pack_with_its_size_and_blobs()
    {
        var packs = new[] { MakePack(blobCount: 3, seed: 1), MakePack(blobCount: 0, seed: 2), MakePack(blobCount: 500, seed: 3) };

        var decoded = IndexFileCodec.Decode(IndexFileCodec.Encode(packs), "index/test");

        Assert.Equal(packs.Length, decoded.Count);
        foreach (var (pack, back) in packs.Zip(decoded))
        {
            Assert.Equal(pack.Id, back.Pack);
            Assert.Equal(pack.Size, back.Size);
            Assert.Equal(pack.Blobs, back.Blobs);
        }
    }

    [Fact]
    public void An_index_of_no_packs_decodes_to_an_empty_list()
    {
        Assert.Empty(IndexFileCodec.Decode(IndexFileCodec.Encode([]), "index/empty"));
    }

    [Fact]
    public void A_file_without_the_index_magic_is_refused_naming_the_file()
    {
        var bytes = IndexFileCodec.Encode([MakePack(2, seed: 4)]);
        bytes[0] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => IndexFileCodec.Decode(bytes, "index/0badc0de"));

        Assert.Contains("index/0badc0de", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_shorter_than_its_header_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => IndexFileCodec.Decode("OSBK"u8, "index/short"));
    }

    private static SealedPack MakePack(int blobCount, int seed)
    {
        var random = new Random(seed);
        var id = PackId.Read(TestData.RandomBytes(PackId.Size, seed));
        var blobs = new List<(BlobType, BlobLocation)>();
        long offset = 0;
        for (var i = 0; i < blobCount; i++)
        {
            var stored = random.Next(0, 8 << 20);
            blobs.Add((i % 3 == 0 ? BlobType.Table : BlobType.Data,
                new BlobLocation(BlobId.Of(TestData.RandomBytes(16, random.Next())), id, offset, stored, stored + random.Next(0, 1000),
                    i % 2 == 0 ? BlobCompression.Zstd : BlobCompression.None)));
            offset += stored;
        }
        return new SealedPack(id, offset + blobCount * PackFormat.EntrySize + PackFormat.FooterSize, blobs);
    }
}
