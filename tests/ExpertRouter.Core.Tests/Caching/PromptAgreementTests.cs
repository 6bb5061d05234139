using ExpertRouter.Core.Caching;

namespace ExpertRouter.Core.Tests.Caching;

public sealed class PromptAgreementTests
{
    [Theory]
    [InlineData("Is Paris the capital of France?", "Is Paris not the capital of France?")]
    [InlineData("Does the drug interact with alcohol?", "Doesn't the drug interact with alcohol?")]
    [InlineData("List hotels with a pool", "List hotels without a pool")]
    [InlineData("Summarise the report", "Never summarise the report")]
    [InlineData("Ist das Wasser kalt?", "Ist das Wasser nicht kalt?")]
    public void Agree_NegationPair_IsFalse(string a, string b) => Assert.False(PromptAgreement.Agree(a, b));

    [Theory]
    [InlineData("What is 2 + 2?", "What is 2 + 3?")]
    [InlineData("Convert 1,000 USD to EUR", "Convert 1,500 USD to EUR")]
    [InlineData("Give me three examples", "Give me four examples")]
    [InlineData("Give me 3 examples", "Give me 3 examples for 2024")]
    [InlineData("Round 3.14159 to 2 places", "Round 3.14159 to 3 places")]
    public void Agree_ChangedNumber_IsFalse(string a, string b) => Assert.False(PromptAgreement.Agree(a, b));

    [Theory]
    [InlineData("What is the capital of France?", "what is the capital of france")]
    [InlineData("Convert 1,000 USD", "Convert 1000 usd")]
    [InlineData("Why isn't the sky green?", "Why is the sky not green?")]
    [InlineData("Add 2 and 3", "Add 3 and 2")]
    public void Agree_SameNumbersAndNegations_IsTrue(string a, string b) => Assert.True(PromptAgreement.Agree(a, b));
}
