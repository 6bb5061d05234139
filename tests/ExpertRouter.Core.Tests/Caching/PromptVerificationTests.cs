using ExpertRouter.Core.Caching;

namespace ExpertRouter.Core.Tests.Caching;

public sealed class PromptVerificationTests
{
    [Theory]
    [InlineData("Convert 5 km to miles", "Convert 5 miles to km")]
    [InlineData("Did Alice sue Bob in 2019?", "Did Bob sue Alice in 2019?")]
    [InlineData("Is a dog bigger than a cat?", "Is a cat bigger than a dog?")]
    [InlineData("buy Tesla and sell Apple", "buy Apple and sell Tesla")]
    [InlineData("Add 2 and 3", "Add 3 and 2")]
    public void SameQuestion_SwappedWords_IsFalse(string stored, string asked)
    {
        // The facts the index filters on agree for every pair: only the order tells them apart.
        Assert.True(PromptAgreement.Agree(stored, asked));
        Assert.False(PromptVerification.SameQuestion(stored, asked));
    }

    [Theory]
    [InlineData("Is Paris the capital of France?", "Is Paris not the capital of France?")]
    [InlineData("Does it interact with alcohol?", "Doesn't it interact with alcohol?")]
    [InlineData("What is 5 - 3?", "What is 5 + 3?")]
    [InlineData("Give me 3 facts", "Give me 4 facts")]
    [InlineData("Convert 1,000 USD", "Convert 1,500 USD")]
    [InlineData("List 1,2,3", "List 123")]
    [InlineData("Email Alice", "Email Alicia")]
    [InlineData("Price in $", "Price in €")]
    [InlineData("Is it -5 degrees?", "Is it 5 degrees?")]
    public void SameQuestion_ChangedNegationNumberNameOrOperator_IsFalse(string stored, string asked) =>
        Assert.False(PromptVerification.SameQuestion(stored, asked));

    [Theory]
    [InlineData("What is the capital of France?", "what is the capital of france")]
    [InlineData("Convert 1,000 USD to EUR.", "convert 1000 usd to eur")]
    [InlineData("Give me five examples", "Give me 5 examples!")]
    [InlineData("Why isn't the sky green?", "why is not the sky green")]
    [InlineData("Please summarise the report", "Summarise the report, kindly.")]
    [InlineData("Round 3.50 to 1 place", "round 3.5 to 1 place")]
    public void SameQuestion_OnlyCaseSpacingPunctuationOrFormatting_IsTrue(string stored, string asked) =>
        Assert.True(PromptVerification.SameQuestion(stored, asked));
}
