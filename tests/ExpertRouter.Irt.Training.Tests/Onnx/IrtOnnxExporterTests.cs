using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ExpertRouter.Irt.Training.Tests.Onnx;

public sealed class IrtOnnxExporterTests
{
    private static readonly string[] Prompts =
    [
        "What is 17 * 23? Answer with a number.",
        "def f(x): return x[::-1]\nassert f('abc') == ??",
        "Question: Which gas do plants absorb? Options: (A) O2 (B) CO2",
        "",
    ];

    private static IrtEnsemble RandomEnsemble(int inputRows, int members)
    {
        var list = new List<IrtParameters>();
        for (var i = 0; i < members; i++)
        {
            var p = IrtTrainer.Initialize(inputRows, 5, new IrtTrainingOptions { Seed = 3 + i, EmbeddingSize = 8, AbilityDimensions = 3 });
            // Non-zero biases and read-out so every term of the logit is exercised.
            for (var m = 0; m < p.Experts; m++)
            {
                p.ExpertBias[m] = 0.3f * (m - 2);
                for (var c = 0; c < p.EmbeddingSize; c++)
                {
                    p.ExpertLinear[m * p.EmbeddingSize + c] = 0.05f * ((m + c) % 3 - 1);
                }
            }

            p.DifficultyBias[0] = 0.2f;
            p.RoundEmbeddingToHalf();
            list.Add(p);
        }

        return new IrtEnsemble(list);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void HashedGraph_AgreesWithReferenceComputation(int members, bool middleMemberWithoutReadOut)
    {
        var featurizer = new HashedNgramFeaturizer(new HashedNgramOptions { Buckets = 512 });
        var ensemble = RandomEnsemble(512, members);
        if (middleMemberWithoutReadOut)
        {
            // A member whose direct read-out stayed zero has no UT initializer: only its difficulty is read out.
            Array.Clear(ensemble.Members[1].ExpertLinear);
        }

        var features = Prompts.Select(featurizer.Featurize).ToArray();
        // One row per prompt, padded to the longest with id 0 and weight 0; the empty prompt is all padding.
        var longest = features.Max(f => f.Count);
        var ids = new DenseTensor<long>([features.Length, longest]);
        var weights = new DenseTensor<float>([features.Length, 1, longest]);
        for (var i = 0; i < features.Length; i++)
        {
            for (var j = 0; j < features[i].Count; j++)
            {
                ids[i, j] = features[i].Ids[j];
                weights[i, 0, j] = features[i].Weights[j];
            }
        }

        using var session = new InferenceSession(OnnxModelFile.Serialize(IrtOnnxExporter.Export(ensemble, denseInput: false)));
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor(IrtOnnxExporter.IdsInput, ids),
            NamedOnnxValue.CreateFromTensor(IrtOnnxExporter.WeightsInput, weights),
        ]);

        var onnx = results.Single().AsTensor<float>();
        for (var i = 0; i < features.Length; i++)
        {
            var expected = ensemble.Predict(features[i]);
            for (var m = 0; m < expected.Length; m++)
            {
                Assert.InRange(onnx[i, m] - expected[m], -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public void Members_RunAsOneSetOfNodes_WhateverTheirCount()
    {
        // Nodes that depend on a graph input run on every request; the rest are constants ONNX Runtime folds at load.
        static int PerRequestNodes(IrtEnsemble ensemble)
        {
            var graph = IrtOnnxExporter.Export(ensemble, denseInput: false).Graph;
            var live = graph.Input.Select(i => i.Name).ToHashSet();
            var count = 0;
            foreach (var node in graph.Node)
            {
                if (node.Input.Any(live.Contains))
                {
                    live.Add(node.Output[0]);
                    count++;
                }
            }

            return count;
        }

        var one = PerRequestNodes(RandomEnsemble(64, 1));
        var four = PerRequestNodes(RandomEnsemble(64, 4));

        // Four members only add the reshape that averages them (one member ends in an identity instead).
        Assert.Equal(one + 1, four);
        Assert.InRange(four, 10, 20);
    }

    [Fact]
    public void DenseGraph_AgreesWithReferenceComputation()
    {
        var ensemble = RandomEnsemble(8, 2);
        var embedding = new DenseTensor<float>(new[] { 0.1f, -0.4f, 0.3f, 0f, 1f, 0.2f, -0.2f, 0.5f }, [1, 8]);
        var asFeatures = new HashedFeatures([0, 1, 2, 3, 4, 5, 6, 7], embedding.ToArray());
        foreach (var member in ensemble.Members)
        {
            // The dense graph treats the embedding table as the identity.
            Array.Clear(member.Embedding);
            for (var r = 0; r < 8; r++)
            {
                member.Embedding[r * 8 + r] = 1f;
            }
        }

        using var session = new InferenceSession(OnnxModelFile.Serialize(IrtOnnxExporter.Export(ensemble, denseInput: true)));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(IrtOnnxExporter.EmbeddingInput, embedding)]);

        var onnx = results.Single().AsTensor<float>().ToArray();
        var expected = ensemble.Predict(asFeatures);
        for (var m = 0; m < expected.Length; m++)
        {
            Assert.InRange(onnx[m] - expected[m], -1e-5f, 1e-5f);
        }
    }
}
