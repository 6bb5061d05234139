using System.Text;
using ExpertRouter.Gateway.Protocols;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class JsonBufferTests
{
    [Fact]
    public void Rent_WhileAnotherIsInUse_GivesASeparateBufferAndAFreshWriter()
    {
        using var outer = JsonBuffer.Rent(16);
        outer.Json.WriteStartObject();
        using (var inner = JsonBuffer.Rent(16))
        {
            inner.Json.WriteStartArray();
            inner.Json.WriteNumberValue(1);
            inner.Json.WriteEndArray();
            Assert.Equal("[1]", Encoding.UTF8.GetString(inner.WrittenSpan));
        }

        outer.Json.WriteString("a", "b");
        outer.Json.WriteEndObject();
        Assert.Equal("""{"a":"b"}""", Encoding.UTF8.GetString(outer.WrittenSpan));
    }

    [Fact]
    public void Rent_AfterDispose_StartsEmptyWithAWriterAtTheStart()
    {
        var first = JsonBuffer.Rent(16);
        first.Json.WriteStartArray();
        first.Json.WriteStringValue("left open");
        first.Dispose();

        using var next = JsonBuffer.Rent(16);
        next.Json.WriteStartObject();
        next.Json.WriteEndObject();

        Assert.Equal("{}", Encoding.UTF8.GetString(next.WrittenSpan));
    }

    [Fact]
    public void Dispose_Twice_DoesNotHandTheSameBufferToTwoRenters()
    {
        var once = JsonBuffer.Rent(16);
        once.Dispose();
        once.Dispose();

        using var first = JsonBuffer.Rent(16);
        using var second = JsonBuffer.Rent(16);

        Assert.NotSame(first, second);
    }

    [Fact]
    public void Write_PastTheRentedCapacity_GrowsAndKeepsWhatWasWritten()
    {
        using var buffer = JsonBuffer.Rent(1);
        var text = new string('x', 10_000);
        buffer.Json.WriteStartArray();
        buffer.Json.WriteStringValue(text);
        buffer.Json.WriteEndArray();

        Assert.Equal($"[\"{text}\"]", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
