package io.distill4j.loss;

import io.distill4j.config.ConfigException;
import io.distill4j.config.RunConfigs;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distillation terms other than kd: values against separate straightforward implementations written here from
 * the papers' definitions, DL4J gradient checks in double precision, serialisation, and each term's known pitfall.
 */
class DistillationTermsTest {

    private static DataType previousDefault;

    @BeforeAll
    static void doublePrecision() {
        previousDefault = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(previousDefault, previousDefault);
    }

    // ---- independent references, from the definitions ----

    private static double[] softmax(double[] v, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x / t);
        }
        double[] out = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.exp(v[i] / t - max);
            sum += out[i];
        }
        for (int i = 0; i < v.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static double kl(double[] p, double[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += p[i] * Math.log(p[i] / q[i]);
        }
        return sum;
    }

    /** CWD from its definition: per (n, c) the spatial softmax; tau² KL(teacher ‖ student); mean over n, c. */
    private static double cwdReference(double[][][] s, double[][][] t, double tau) {
        double sum = 0;
        int count = 0;
        for (int n = 0; n < s.length; n++) {
            for (int c = 0; c < s[n].length; c++) {
                sum += tau * tau * kl(softmax(t[n][c], tau), softmax(s[n][c], tau));
                count++;
            }
        }
        return sum / count;
    }

    /** DKD as the authors' code computes it (gt/other masks, −1000 on the target for NCKD), mean over the batch. */
    private static double dkdReference(double[][] zs, double[][] zt, int[] target, double alpha, double beta,
                                       double t) {
        double total = 0;
        for (int n = 0; n < zs.length; n++) {
            double[] ps = softmax(zs[n], t);
            double[] pt = softmax(zt[n], t);
            double[] bs = {ps[target[n]], 1 - ps[target[n]]};
            double[] bt = {pt[target[n]], 1 - pt[target[n]]};
            double tckd = kl(bt, bs) * t * t;
            double[] ms = zs[n].clone();
            double[] mt = zt[n].clone();
            ms[target[n]] -= 1000 * t;
            mt[target[n]] -= 1000 * t;
            double[] qs = softmax(ms, t);
            double[] qt = softmax(mt, t);
            double nckd = 0;
            for (int c = 0; c < qs.length; c++) {
                if (c != target[n]) {
                    nckd += qt[c] * Math.log(qt[c] / qs[c]);
                }
            }
            total += alpha * tckd + beta * nckd * t * t;
        }
        return total / zs.length;
    }

    private static double[][][] cube(INDArray a) {
        int n = (int) a.size(0);
        int c = (int) a.size(1);
        int p = (int) (a.size(2) * a.size(3));
        double[][][] out = new double[n][c][p];
        INDArray flat = a.reshape(n, c, p);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                for (int k = 0; k < p; k++) {
                    out[i][j][k] = flat.getDouble(i, j, k);
                }
            }
        }
        return out;
    }

    // ---- values ----

    @Test
    void l2LogitsIsTheMeanSquaredDifferenceOverClassesAndPixels() {
        INDArray zs = Nd4j.createFromArray(new double[][]{{1, 2, 3}, {0, -1, 4}});
        INDArray zt = Nd4j.createFromArray(new double[][]{{1, 0, 3}, {2, -1, 1}});
        INDArray labels = DistillationLabels.withTeacher(Nd4j.createFromArray(new double[][]{{0}, {2}}), zt);
        LogitObjective objective = objective(List.of(DistillationTerm.L2Logits.of(1)));
        // (0 + 4 + 0) / 3 and (4 + 0 + 9) / 3, averaged over the two rows
        assertEquals((4.0 / 3 + 13.0 / 3) / 2, objective.compute(zs, labels).meanLoss(), 1e-12);
    }

    @Test
    void cwdMatchesItsDefinitionAndSoftmaxesOverSpaceNotChannels() {
        INDArray zs = Nd4j.randn(DataType.DOUBLE, 2, 3, 2, 3);
        INDArray zt = Nd4j.randn(DataType.DOUBLE, 2, 3, 2, 3).muli(2);
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, 2, 1, 2, 3);
        double value = objective(List.of(DistillationTerm.Cwd.of(1, 2.0)))
                .compute(zs, DistillationLabels.withTeacher(ids, zt)).meanLoss();
        assertEquals(cwdReference(cube(zs), cube(zt), 2.0), value, 1e-10);
        // the known mistake: a softmax over channels per pixel (pixel-wise KD) gives another value
        double[][][] s = cube(zs.permute(0, 2, 3, 1).dup().reshape(2, 6, 3, 1));
        double[][][] t = cube(zt.permute(0, 2, 3, 1).dup().reshape(2, 6, 3, 1));
        assertNotEquals(cwdReference(s, t, 2.0), value, 1e-3);
    }

    @Test
    void dkdMatchesTheAuthorsFormulation() {
        double[][] zs = {{1.0, -0.5, 2.0, 0.3}, {0.2, 0.1, -1.0, 1.5}, {-0.3, 0.9, 0.4, 0.0}};
        double[][] zt = {{2.0, -1.0, 0.5, 0.1}, {0.0, 0.3, -2.0, 3.0}, {0.5, 0.5, 1.0, -1.0}};
        int[] target = {0, 3, 1};
        INDArray ids = Nd4j.createFromArray(new double[][]{{0}, {3}, {1}});
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.createFromArray(zt));
        double value = objective(List.of(DistillationTerm.Dkd.of(1.0, 8.0, 4.0)))
                .compute(Nd4j.createFromArray(zs), labels).meanLoss();
        assertEquals(dkdReference(zs, zt, target, 1.0, 8.0, 4.0), value, 1e-9);
    }

    @Test
    void attentionTransferNormalisesTheMapsSoScaleDoesNotMatter() {
        INDArray student = Nd4j.randn(DataType.DOUBLE, 2, 3, 4, 4);
        INDArray teacherActivation = Nd4j.randn(DataType.DOUBLE, 2, 5, 4, 4);
        double loss = featureLoss(FeatureLoss.ATTENTION, student, AttentionMaps.of(teacherActivation, 2));
        // reference: per example, Σ_c a², L2-normalised, squared distance; mean over the batch
        double expected = 0;
        double[][][] s = cube(student);
        double[][][] t = cube(teacherActivation);
        for (int n = 0; n < 2; n++) {
            double[] qs = new double[16];
            double[] qt = new double[16];
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 16; i++) {
                    qs[i] += s[n][c][i] * s[n][c][i];
                }
            }
            for (int c = 0; c < 5; c++) {
                for (int i = 0; i < 16; i++) {
                    qt[i] += t[n][c][i] * t[n][c][i];
                }
            }
            double ns = Math.sqrt(java.util.Arrays.stream(qs).map(v -> v * v).sum());
            double nt = Math.sqrt(java.util.Arrays.stream(qt).map(v -> v * v).sum());
            for (int i = 0; i < 16; i++) {
                expected += Math.pow(qs[i] / ns - qt[i] / nt, 2);
            }
        }
        assertEquals(expected / 2, loss, 1e-9);
        // the known mistake is to compare unnormalised maps: scaling the student must not change the loss
        assertEquals(loss, featureLoss(FeatureLoss.ATTENTION, student.mul(7), AttentionMaps.of(teacherActivation, 2)),
                1e-9);
    }

    @Test
    void hintIsTheMeanSquaredErrorPerElement() {
        INDArray student = Nd4j.createFromArray(new double[]{1, 2, 3, 4}).reshape(1, 1, 2, 2);
        INDArray teacher = Nd4j.createFromArray(new double[]{1, 0, 3, 1}).reshape(1, 1, 2, 2);
        assertEquals((4 + 9) / 4.0, featureLoss(FeatureLoss.MSE, student, teacher), 1e-12);
    }

    @Test
    void unlabelledRowsCountInTheTeacherTermOnly() {
        INDArray zs = Nd4j.createFromArray(new double[][]{{1, 2, 0}, {0.5, -1, 2}});
        INDArray zt = Nd4j.createFromArray(new double[][]{{2, 0, 1}, {1, 1, 0}});
        INDArray ids = Nd4j.createFromArray(new double[][]{{1}, {DistillationLabels.UNLABELLED}});
        DistillationLoss.Result r = new DistillationLoss(0.3, 2.0, null)
                .compute(zs, DistillationLabels.withTeacher(ids, zt));
        assertEquals(2, r.validCount());
        assertEquals(1, r.labelledCount());
        double soft1 = 4 * kl(softmax(new double[]{1, 1, 0}, 2), softmax(new double[]{0.5, -1, 2}, 2));
        assertEquals(0.7 * soft1, r.rowLoss().getDouble(1), 1e-12);
        // without teacher logits an unlabelled row has nothing to learn from
        assertEquals(0, new DistillationLoss(0.3, 2.0, null).compute(zs, ids).validCount() - 1);
    }

    // ---- gradients (DL4J's GradientCheckUtil, double precision) ----

    private static ComputationGraph graph(boolean segmentation, List<DistillationTerm> terms, FeatureLoss feature) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(12).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in");
        if (segmentation) {
            g.setInputTypes(InputType.convolutional(4, 5, 2))
                    .addLayer("feat", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build(), "in")
                    .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.IDENTITY)
                            .build(), "feat");
        } else {
            g.setInputTypes(InputType.feedForward(4))
                    .addLayer("feat", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                    .addLayer("logits", new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build(), "feat");
        }
        g.addLayer("out", new DistillationOutputLayer.Builder().terms(terms).build(), "logits");
        if (feature != null) {
            String input = "feat";
            if (feature != FeatureLoss.ATTENTION) {
                g.addLayer("adapter", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.IDENTITY)
                        .build(), "feat");
                input = "adapter";
            }
            g.addLayer("fd", new FeatureDistillationLayer.Builder().kind(feature).weight(0.7).tau(1.5).build(), input);
            g.setOutputs("out", "fd");
        } else {
            g.setOutputs("out");
        }
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    private static boolean check(ComputationGraph graph, INDArray input, INDArray... labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[]{input}).labels(labels).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }

    @Test
    void segmentationLogitTermsPassTheGradientCheck() {
        ComputationGraph graph = graph(true, List.of(new DistillationTerm.Kd(0.8, 0.4, 2.0),
                DistillationTerm.L2Logits.of(0.3), new DistillationTerm.Cwd(1.7, 1.5, null)), null);
        INDArray ids = Nd4j.createFromArray(new double[]{0, 2, 1, DistillationLabels.UNLABELLED, 1, 0, 2, 2, 1, 0,
                0, 1, 2, 1, 0, 2, 2, 0, 1, 1, 0, 1, 2, 0, 1, 2, 0, 1, 0, 2, 1, 0, 2, 1, 0, 1, 2, 2, 0, 1}).reshape(2, 1, 4, 5);
        assertTrue(check(graph, Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 5),
                DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, 2, 3, 4, 5))));
    }

    @Test
    void classificationLogitTermsPassTheGradientCheck() {
        ComputationGraph graph = graph(false, List.of(new DistillationTerm.Kd(1, 0.5, 3.0),
                DistillationTerm.L2Logits.of(0.2), new DistillationTerm.Dkd(0.9, 1.0, 4.0, 2.5)), null);
        INDArray ids = Nd4j.createFromArray(new double[][]{{0}, {3}, {DistillationLabels.UNLABELLED}, {1}, {2}});
        assertTrue(check(graph, Nd4j.rand(DataType.DOUBLE, 5, 4),
                DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, 5, 4).muli(2))));
    }

    @ParameterizedTest
    @EnumSource(FeatureLoss.class)
    void featureTermsPassTheGradientCheck(FeatureLoss kind) {
        ComputationGraph graph = graph(true, List.of(DistillationTerm.Kd.crossEntropy()), kind);
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, 2, 1, 4, 5).addi(1);
        INDArray teacher = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 5);
        INDArray featureLabels = kind == FeatureLoss.ATTENTION ? AttentionMaps.of(teacher, 2) : teacher;
        assertTrue(check(graph, Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 5), ids, featureLabels));
    }

    // ---- serialisation and bad input ----

    @Test
    void layersWithTermsSurviveJsonAndModelFileRoundTrips(@TempDir Path dir) {
        ComputationGraph graph = graph(true, List.of(new DistillationTerm.Kd(0.8, 0.4, 2.0),
                new DistillationTerm.Cwd(1.7, 1.5, null)), FeatureLoss.CHANNEL_WISE);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        assertEquals(graph.getConfiguration(), back);
        DistillationOutputLayer out = (DistillationOutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                back.getVertices().get("out")).getLayerConf().getLayer();
        assertEquals(List.of(new DistillationTerm.Kd(0.8, 0.4, 2.0), new DistillationTerm.Cwd(1.7, 1.5, null)),
                out.terms());
        Path file = dir.resolve("m.zip");
        ModelFiles.save(graph, file, null, java.util.Map.of());
        ComputationGraph loaded = ModelFiles.load(file);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, 4, 5);
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 5);
        MultiDataSet data = new MultiDataSet(new INDArray[]{x}, new INDArray[]{
                DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, 1, 3, 4, 5)),
                Nd4j.randn(DataType.DOUBLE, 1, 4, 4, 5)});
        assertEquals(graph.score(data), loaded.score(data), 1e-10);
    }

    @Test
    void termsParseFromYamlAndBadValuesAreNamed() {
        List<DistillationTerm> terms = RunConfigs.parseTerms(
                "[{type: kd, weight: 1, alpha: 0.5, temperature: 2}, {type: cwd, weight: 3, tau: 4},"
                        + " {type: at, levels: [enc1, enc2]}, {type: hint, level: enc3}, {type: dkd}, {type: l2-logits}]",
                "test");
        assertEquals(List.of(new DistillationTerm.Kd(1, 0.5, 2), new DistillationTerm.Cwd(3, 4, null),
                new DistillationTerm.At(1, 2, List.of("enc1", "enc2")), new DistillationTerm.Hint(1, "enc3"),
                new DistillationTerm.Dkd(1, 1, 8, 4), new DistillationTerm.L2Logits(1)), terms);
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> RunConfigs.parseTerms("[{type: fitnet}]", "test"));
        assertTrue(unknown.getMessage().contains("fitnet") && unknown.getMessage().contains("l2-logits"),
                unknown.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> RunConfigs.parseTerms("[{type: cwd, weight: 0}]", "t"))
                .getMessage().contains("weight must be > 0"));
        assertTrue(assertThrows(ConfigException.class, () -> RunConfigs.parseTerms("[{type: kd, temperature: -1}]", "t"))
                .getMessage().contains("temperature must be > 0"));
    }

    @Test
    void aConfigWithTermsRoundTripsThroughItsYaml() {
        io.distill4j.config.RunConfig config = RunConfigs.load(null, List.of(
                "distillation.terms=[{type: kd, alpha: 1}, {type: cwd, weight: 3}, {type: at, levels: [enc1]}]"));
        String yaml = RunConfigs.toYaml(config);
        assertTrue(yaml.contains("type: cwd"), yaml);
        assertEquals(config.distillation.terms, RunConfigs.fromYaml(yaml, "round trip").distillation.terms);
    }

    @Test
    void termsOnTheWrongTaskAreClearErrors() {
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 2);
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, 1, 3, 2, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> objective(List.of(DistillationTerm.Dkd.of(1, 8, 4)))
                .compute(Nd4j.randn(DataType.DOUBLE, 1, 3, 2, 2), labels)).getMessage().contains("classification"));
        INDArray rows = DistillationLabels.withTeacher(Nd4j.zeros(DataType.DOUBLE, 2, 1), Nd4j.randn(DataType.DOUBLE, 2, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> objective(List.of(DistillationTerm.Cwd.of(1, 4)))
                .compute(Nd4j.randn(DataType.DOUBLE, 2, 3), rows)).getMessage().contains("spatial"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationOutputLayer.Builder()
                .terms(List.of(DistillationTerm.Hint.of(1, "enc2"))).build()).getMessage().contains("feature term"));
    }

    private static LogitObjective objective(List<DistillationTerm> terms) {
        return new DistillationOutputLayer.Builder().terms(terms).build().objective();
    }

    private static double featureLoss(FeatureLoss kind, INDArray student, INDArray teacher) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(student.size(2), student.size(3),
                        student.size(1)))
                .addLayer("fd", new FeatureDistillationLayer.Builder().kind(kind).build(), "in").setOutputs("fd")
                .build());
        graph.init();
        return graph.score(new org.nd4j.linalg.dataset.DataSet(student, teacher));
    }
}
