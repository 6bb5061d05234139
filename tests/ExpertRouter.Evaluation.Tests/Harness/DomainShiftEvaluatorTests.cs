using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Tests.Harness;

public sealed class DomainShiftEvaluatorTests
{
    [Fact]
    public async Task Evaluate_OutOfDomainTrainingNeverSeesTheHeldOutTask()
    {
        var train = Fixtures.Records(40);
        var test = Fixtures.Records(12, "dev", 100);
        IRouterTrainer[] trainers = [new TaskLabelRouterTrainer(), new BestSingleRouterTrainer()];

        var table = await new DomainShiftEvaluator(new PoolEvaluationOptions { Settings = 9 })
            .EvaluateAsync(train, test, Fixtures.Experts, trainers, maxTasks: 2, progress: null, CancellationToken.None);

        Assert.Equal(["code", "math"], table.Tasks.Order());
        foreach (var task in table.Tasks)
        {
            var taskLabel = table.Cells.Single(c => c.Task == task && c.Router == TaskLabelRouterTrainer.RouterName);
            var bestSingle = table.Cells.Single(c => c.Task == task && c.Router == BestSingleRouterTrainer.RouterName);
            // Without the task in training, the task-label router only knows overall means: it is best-single.
            Assert.Equal(bestSingle.OutOfDomainAiq, taskLabel.OutOfDomainAiq, 12);
        }

        // In-domain it knows "mathy" is right on math and wrong on code, so on code it beats its out-of-domain self.
        var code = table.Cells.Single(c => c.Task == "code" && c.Router == TaskLabelRouterTrainer.RouterName);
        Assert.True(code.InDomainAiq > code.OutOfDomainAiq, $"ID {code.InDomainAiq:F3} vs OOD {code.OutOfDomainAiq:F3}");
    }
}
