using System.Text;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Tests.OpenAI;

public sealed class ReadOnlyMemoryStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Read_ThreePieces_InAnyBufferSize_GivesThemInARow(int bufferSize)
    {
        var (head, middle, tail) = (Bytes("""{"model":"""), Bytes("\"gpt-4o\""), Bytes(""","messages":[]}"""));
        using var stream = new ReadOnlyMemoryStream(head, middle, tail);
        var read = new MemoryStream();
        var buffer = new byte[bufferSize];

        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            read.Write(buffer, 0, n);
        }

        Assert.Equal("""{"model":"gpt-4o","messages":[]}""", Encoding.UTF8.GetString(read.ToArray()));
        Assert.Equal(read.Length, stream.Length);
    }

    [Fact]
    public void Seek_BackToAnOffsetInsideALaterPiece_ReadsOnFromThere()
    {
        using var stream = new ReadOnlyMemoryStream(Bytes("ab"), Bytes("cd"), Bytes("ef"));
        var buffer = new byte[10];

        stream.Seek(3, SeekOrigin.Begin);
        var n = stream.Read(buffer, 0, buffer.Length);

        Assert.Equal("def", Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal(0, stream.Read(buffer, 0, buffer.Length));
        Assert.Equal("abcdef", new StreamReader(new ReadOnlyMemoryStream(Bytes("abcdef"))).ReadToEnd());
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
