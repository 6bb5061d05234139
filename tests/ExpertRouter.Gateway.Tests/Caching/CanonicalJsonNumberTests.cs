using System.Text;
using ExpertRouter.Gateway.Caching;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class CanonicalJsonNumberTests
{
    private static string Of(string token) => CanonicalJsonNumber.Of(Encoding.ASCII.GetBytes(token));

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0e7", "0")]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("10e-1", "1")]
    [InlineData("1200", "12E2")]
    [InlineData("0.0015", "15E-4")]
    [InlineData("-2.50E+3", "-25E2")]
    [InlineData("1e999", "1E999")]
    [InlineData("1E400", "1E400")]
    [InlineData("-1e-999", "-1E-999")]
    [InlineData("1e99999999999999999999999", "1E99999999999999999999999")]
    public void Of_Token_IsTheValuesOneText(string token, string canonical) => Assert.Equal(canonical, Of(token));

    [Theory]
    [InlineData("1e999", "1e998")]
    [InlineData("1e-400", "0")]
    [InlineData("0.1", "0.10000000000000001")]
    [InlineData("9007199254740993", "9007199254740992")]
    public void Of_DistinctValues_StayDistinct(string a, string b) => Assert.NotEqual(Of(a), Of(b));
}
