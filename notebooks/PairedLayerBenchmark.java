import io.distill4j.data.Task;
import io.distill4j.model.DirectMaxPooling2D;
import io.distill4j.model.SingleForwardConvolution2D;
import io.distill4j.model.SingleForwardDeconvolution2D;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer lever measured in pairs, in one JVM: a U-Net's training step (batch 8, synthetic data) with some of
 * distill4j's layers swapped back to DL4J's own and with distill4j's, same parameters, alternating step by step (the
 * order flips every pair), so the machine's slow drifts hit both sides alike. Prints each side's median step, the
 * paired time ratios and a Wilcoxon signed-rank test. README, Performance, "One forward pass per training step".
 * Which layers go back to DL4J's: {@code all} (default), {@code convolutions} (the 3×3 and 1×1 ones),
 * {@code up-sampling} (the 2×2 transposed convolutions) or {@code pooling}; the step is a training step
 * ({@code train}, default) or the forward pass to probabilities ({@code inference}).
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
 *   java -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/PairedLayerBenchmark.java SIZE PAIRS [student|teacher] \
 *   [all|convolutions|up-sampling|pooling] [train|inference]
 * </pre>
 */
public class PairedLayerBenchmark {
    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        int pairs = Integer.parseInt(args[1]);
        boolean teacher = args.length > 2 && args[2].equals("teacher");
        String swapped = args.length > 3 ? args[3] : "all";
        boolean inference = args.length > 4 && args[4].equals("inference");
        Map<String, String> toDl4j = new LinkedHashMap<>();
        if (swapped.equals("all") || swapped.equals("convolutions")) {
            toDl4j.put(SingleForwardConvolution2D.class.getName(), ConvolutionLayer.class.getName());
        }
        if (swapped.equals("all") || swapped.equals("up-sampling")) {
            toDl4j.put(SingleForwardDeconvolution2D.class.getName(), Deconvolution2D.class.getName());
        }
        if (swapped.equals("all") || swapped.equals("pooling")) {
            toDl4j.put(DirectMaxPooling2D.class.getName(), SubsamplingLayer.class.getName());
        }
        if (toDl4j.isEmpty()) {
            throw new IllegalArgumentException("layers to swap: all, convolutions, up-sampling or pooling, not "
                    + swapped);
        }
        UNetSpec spec = teacher ? UNetSpec.teacher(Task.SEGMENTATION, 3, 6, size, size)
                : UNetSpec.student(Task.SEGMENTATION, 3, 6, size, size);
        ComputationGraph singleForward = UNetFactory.build(spec);
        String dl4jJson = singleForward.getConfiguration().toJson();
        for (Map.Entry<String, String> swap : toDl4j.entrySet()) {
            dl4jJson = dl4jJson.replace(swap.getKey(), swap.getValue());
        }
        ComputationGraph dl4j = new ComputationGraph(ComputationGraphConfiguration.fromJson(dl4jJson));
        dl4j.init(singleForward.params().dup(), true);

        Nd4j.getRandom().setSeed(1);
        INDArray features = Nd4j.rand(DataType.FLOAT, 8, 3, size, size);
        INDArray classIds = Transforms.floor(Nd4j.rand(DataType.FLOAT, 8, 1, size, size).muli(6), false);
        DataSet batch = new DataSet(features, classIds);
        ComputationGraph[] sides = {dl4j, singleForward};
        for (int warmUp = 0; warmUp < 4; warmUp++) {
            for (ComputationGraph side : sides) {
                step(side, batch, inference);
            }
        }
        double[][] ms = new double[2][pairs];
        for (int p = 0; p < pairs; p++) {
            for (int i = 0; i < 2; i++) {
                int side = (p + i) % 2;
                long start = System.nanoTime();
                step(sides[side], batch, inference);
                Nd4j.getExecutioner().commit();
                ms[side][p] = (System.nanoTime() - start) / 1e6;
            }
        }
        DescriptiveStatistics ratio = new DescriptiveStatistics();
        int faster = 0;
        for (int p = 0; p < pairs; p++) {
            ratio.addValue(ms[1][p] / ms[0][p]);
            faster += ms[1][p] < ms[0][p] ? 1 : 0;
        }
        String[] names = {"DL4J's " + swapped, "distill4j's layers"};
        String model = (teacher ? "teacher " : "student ") + size + "x" + size
                + (inference ? " inference" : " training");
        for (int side = 0; side < 2; side++) {
            DescriptiveStatistics s = new DescriptiveStatistics(ms[side]);
            System.out.printf("%s %-22s median %.1f ms a step (min %.1f, max %.1f)%n", model, names[side],
                    s.getPercentile(50), s.getMin(), s.getMax());
        }
        System.out.printf("%s distill4j's / DL4J's " + swapped + " time, %d pairs: median %.3f (quartiles %.3f, %.3f),"
                        + " faster in %d, Wilcoxon signed-rank p = %.2g%n", model, pairs, ratio.getPercentile(50),
                ratio.getPercentile(25), ratio.getPercentile(75), faster,
                new WilcoxonSignedRankTest().wilcoxonSignedRankTest(ms[0], ms[1], pairs <= 30));
    }

    private static void step(ComputationGraph graph, DataSet batch, boolean inference) {
        if (inference) {
            graph.outputSingle(batch.getFeatures());
        } else {
            graph.fit(batch);
        }
    }
}
