using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Importers;

public sealed class ReferenceScoringTests
{
    [Fact]
    public void Score_Gsm8kAndCrux_FollowZeroEvalsExtraction()
    {
        Assert.Equal(1.0, ReferenceScoring.Score("zeroeval", "gsm8k", "72", "m", """{"reasoning": "…", "answer": "72"}"""));
        Assert.Equal(0.0, ReferenceScoring.Score("zeroeval", "gsm8k", "72", "m", """{"reasoning": "…", "answer": "71"}"""));
        Assert.Equal(1.0, ReferenceScoring.Score("zeroeval", "crux", "'cba'", "m", """{"answer": "'cba'"}"""));
    }

    [Fact]
    public void Score_MmluPro_ComparesTheAnswerLetter()
    {
        Assert.Equal(1.0, ReferenceScoring.Score("mmlu-pro", "law", "C", "m", "Step by step … the answer is (C)."));
        Assert.Equal(0.0, ReferenceScoring.Score("mmlu-pro", "law", "C", "m", "Answer: B"));
    }

    [Fact]
    public void Score_WithoutAnExtractorOrAReference_IsLeftToTheJudge()
    {
        Assert.Null(ReferenceScoring.Score("alpacaeval", "koala", "a reference answer", "m", "an answer"));
        Assert.Null(ReferenceScoring.Score("zeroeval", "gsm8k", null, "m", "72"));
        Assert.False(ReferenceScoring.CanScore("log", "acme"));
    }
}
