import io.distill4j.model.HashedDropout;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's {@code Dropout} against distill4j's {@link HashedDropout} on their own: forward and backward over a
 * {@code [8, 16, 128, 128]} float activation (the student's first block at 128×128, batch 8), keep probability 0.9,
 * the two alternating for ROUNDS rounds of 50 passes each after a warm-up round. Prints the median milliseconds a
 * forward + backward pass for each. README, Performance, "Dropout without a mask".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
 *   java -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/DropoutBenchmark.java ROUNDS
 * </pre>
 */
public class DropoutBenchmark {
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 16, 128, 128);
        INDArray out = x.ulike();
        IDropout[] dropouts = {new Dropout(0.9), new HashedDropout(0.9)};
        DescriptiveStatistics[] millis = {new DescriptiveStatistics(), new DescriptiveStatistics()};
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        for (int r = -1; r < rounds; r++) {
            for (int i = 0; i < dropouts.length; i++) {
                long start = System.nanoTime();
                for (int pass = 0; pass < 50; pass++) {
                    dropouts[i].applyDropout(x, out, 0, 0, workspaces);
                    dropouts[i].backprop(out, out, 0, 0); // in place, as DL4J's layers call it
                }
                if (r >= 0) { // round -1 warms up the JIT
                    millis[i].addValue((System.nanoTime() - start) / 50e6);
                }
            }
        }
        for (int i = 0; i < dropouts.length; i++) {
            System.out.printf("%s: median %.2f ms a forward + backward pass (quartiles %.2f-%.2f)%n",
                    dropouts[i].getClass().getSimpleName(), millis[i].getPercentile(50), millis[i].getPercentile(25),
                    millis[i].getPercentile(75));
        }
    }
}
