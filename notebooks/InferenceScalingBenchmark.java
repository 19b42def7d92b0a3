import io.distill4j.data.Task;
import io.distill4j.model.Acceleration;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How the student's inference scales from 128×128 to 256×256: a batch of 8 through {@code output()} (class
 * probabilities) at each size, alternating in one JVM for ROUNDS rounds after a warm-up, so the VM's drift falls on
 * both sizes alike. Prints the median time per batch at each size and the median, within each round, of the 256²
 * images/s over the 128² images/s (0.25 is proportional to the work; the issue's floor is 0.22). README,
 * Performance, "An exponential the JIT vectorises".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
 *   java -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/InferenceScalingBenchmark.java ROUNDS
 * </pre>
 */
public class InferenceScalingBenchmark {
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        Acceleration.ensureConfigured();
        int[] sizes = {128, 256};
        ComputationGraph[] students = new ComputationGraph[2];
        INDArray[] features = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            students[i] = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, sizes[i], sizes[i]));
            features[i] = Nd4j.rand(DataType.FLOAT, 8, 3, sizes[i], sizes[i]);
        }
        for (int warmUp = 0; warmUp < 10; warmUp++) {
            students[0].output(features[0]);
            students[1].output(features[1]);
        }
        DescriptiveStatistics[] millis = {new DescriptiveStatistics(), new DescriptiveStatistics()};
        DescriptiveStatistics ratio = new DescriptiveStatistics();
        double[] round = new double[2];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 2; j++) {
                int i = r % 2 == 0 ? j : 1 - j;
                long start = System.nanoTime();
                students[i].output(features[i]);
                round[i] = (System.nanoTime() - start) / 1e6;
                millis[i].addValue(round[i]);
            }
            ratio.addValue(round[0] / round[1]); // images/s at 256² over images/s at 128²
        }
        for (int i = 0; i < 2; i++) {
            System.out.printf("%dx%d inference median %.1f ms a batch of 8 (quartiles %.1f-%.1f)%n", sizes[i], sizes[i],
                    millis[i].getPercentile(50), millis[i].getPercentile(25), millis[i].getPercentile(75));
        }
        System.out.printf("256x256 / 128x128 images/s within each round: median %.3f (quartiles %.3f-%.3f, min %.3f)%n",
                ratio.getPercentile(50), ratio.getPercentile(25), ratio.getPercentile(75), ratio.getMin());
    }
}
